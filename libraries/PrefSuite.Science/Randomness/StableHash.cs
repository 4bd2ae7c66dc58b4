namespace PrefSuite.Science.Randomness;

/// <summary>A hash of text that is the same in every process and on every machine (unlike string.GetHashCode).</summary>
public static class StableHash
{
    private const ulong Offset = 0xCBF29CE484222325UL;
    private const ulong Prime = 0x100000001B3UL;

    /// <summary>64-bit FNV-1a over the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a64(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = Offset;
        Span<byte> buffer = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            hash = Append(hash, buffer[..rune.EncodeToUtf8(buffer)]);
        }

        return hash;
    }

    /// <summary>64-bit FNV-1a over UTF-8 bytes: for valid UTF-8, the same as <see cref="Fnv1a64(string)"/> of the text they encode.</summary>
    public static ulong Fnv1a64(ReadOnlySpan<byte> utf8) => Append(Offset, utf8);

    private static ulong Append(ulong hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * Prime;
        }

        return hash;
    }
}

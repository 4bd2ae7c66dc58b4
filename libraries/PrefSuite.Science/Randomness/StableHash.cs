namespace PrefSuite.Science.Randomness;

/// <summary>A hash of text that is the same in every process and on every machine (unlike string.GetHashCode).</summary>
public static class StableHash
{
    /// <summary>64-bit FNV-1a over the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a64(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const ulong offset = 0xCBF29CE484222325UL;
        const ulong prime = 0x100000001B3UL;
        var hash = offset;
        Span<byte> buffer = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            var written = rune.EncodeToUtf8(buffer);
            for (var i = 0; i < written; i++)
            {
                hash ^= buffer[i];
                hash *= prime;
            }
        }

        return hash;
    }

    /// <summary>64-bit FNV-1a over UTF-8 bytes: for valid UTF-8, the same as <see cref="Fnv1a64(string)"/> of the text they encode.</summary>
    public static ulong Fnv1a64(ReadOnlySpan<byte> utf8)
    {
        const ulong offset = 0xCBF29CE484222325UL;
        const ulong prime = 0x100000001B3UL;
        var hash = offset;
        foreach (var b in utf8)
        {
            hash ^= b;
            hash *= prime;
        }

        return hash;
    }
}

namespace PrefSuite.Data.Formats;

/// <summary>
/// The prompt ids seen so far, as 64-bit hashes in an open-addressing table (16 bytes per id): repeated ids are found
/// in a stream of any length without keeping every id's text.
/// </summary>
internal sealed class IdSet
{
    private ulong[] _slots = new ulong[1 << 12];
    private int _count;

    /// <summary>64-bit FNV-1a of the id's bytes (0 is kept for empty slots).</summary>
    public static ulong Hash(ReadOnlySpan<byte> id)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var b in id)
        {
            hash = (hash ^ b) * 0x100000001B3UL;
        }

        return hash == 0 ? 1 : hash;
    }

    public static ulong Hash(string id) => Hash(System.Text.Encoding.UTF8.GetBytes(id));

    /// <summary>Sizes the table for about <paramref name="count"/> ids at once, instead of doubling (and copying) on the way.</summary>
    public void Reserve(long count)
    {
        var slots = (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)Math.Max(16, count * 2)));
        if (slots <= _slots.Length)
        {
            return;
        }

        var old = _slots;
        _slots = new ulong[slots];
        _count = 0;
        foreach (var h in old)
        {
            if (h != 0)
            {
                Insert(h);
            }
        }
    }

    /// <summary>Adds a hash; false when it was there already.</summary>
    public bool Add(ulong hash)
    {
        if ((_count + 1) * 2 > _slots.Length)
        {
            var old = _slots;
            _slots = new ulong[old.Length * 2];
            _count = 0;
            foreach (var h in old)
            {
                if (h != 0)
                {
                    Insert(h);
                }
            }
        }

        return Insert(hash);
    }

    private bool Insert(ulong hash)
    {
        var mask = _slots.Length - 1;
        var slot = (int)((hash * 0x9E3779B97F4A7C15UL) >> 40) & mask;
        while (_slots[slot] != 0)
        {
            if (_slots[slot] == hash)
            {
                return false;
            }

            slot = (slot + 1) & mask;
        }

        _slots[slot] = hash;
        _count++;
        return true;
    }
}

using System.Runtime.InteropServices;
using PrefSuite.Data.Files;

namespace PrefSuite.Data.Formats;

/// <summary>
/// The prompt ids seen so far, as 64-bit hashes, exact, in memory that does not grow with the stream but for a Bloom
/// filter of 2 bytes an id. The newest ids sit in an in-memory table; when it fills, they are sorted and written to a
/// temporary run file, and runs are merged when there are many. A new id is looked up in the runs only when the Bloom
/// filter says it may be there (about 1 id in 1,000, plus the true repeats), with one read of a few KB per run. For
/// callers that must know at once (the random pair strategies); <see cref="RepeatedIds"/> finds repeats afterwards in
/// memory that does not grow at all.
/// </summary>
internal sealed class IdSet : IDisposable
{
    /// <summary>Ids the in-memory table holds before they go to a run (2 MB of table).</summary>
    public const int DefaultRecentIds = 1 << 17;

    private const int BloomBitsPerId = 16;
    private const int BloomHashes = 6;
    private const int MaxRuns = 8;

    private readonly int _recentIds;
    private readonly string? _folder;
    private readonly List<IdRun> _runs = [];
    private ulong[] _recent;
    private int _recentCount;
    private ulong[] _bloom;
    private long _count;

    /// <param name="folder">Where the run files go (default: the system's temporary folder); none is made below <paramref name="recentIds"/> ids.</param>
    public IdSet(string? folder = null, int recentIds = DefaultRecentIds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recentIds, 4);
        _folder = folder;
        _recentIds = recentIds;
        _recent = new ulong[1 << 4];
        _bloom = new ulong[Math.Max(1, recentIds * BloomBitsPerId / 64)];
    }

    /// <summary>How many ids were added.</summary>
    public long Count => _count;

    /// <summary>Run files written so far (for tests and figures).</summary>
    public int RunFiles => _runs.Count;

    /// <summary>64-bit FNV-1a of the id's bytes (0 is kept for empty slots).</summary>
    public static ulong Hash(ReadOnlySpan<byte> id)
    {
        var hash = Science.Randomness.StableHash.Fnv1a64(id);
        return hash == 0 ? 1 : hash;
    }

    public static ulong Hash(string id) => Hash(System.Text.Encoding.UTF8.GetBytes(id));

    /// <summary>Sizes the Bloom filter for about <paramref name="count"/> ids at once, instead of rebuilding it on the way.</summary>
    public void Reserve(long count)
    {
        if (count * BloomBitsPerId > (long)_bloom.Length * 64)
        {
            RebuildBloom(count);
        }

        // The table of recent ids at its final size at once: doubling on the way leaves each smaller table behind
        // on the large-object heap until a full collection.
        var slots = (int)Math.Min(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Min(count, _recentIds) * 2), 1 << 30);
        if (_recentCount == 0 && slots > _recent.Length)
        {
            _recent = new ulong[slots];
        }
    }

    /// <summary>Adds a hash; false when it was there already.</summary>
    public bool Add(ulong hash)
    {
        if (RecentContains(hash) || (MayContain(hash) && RunsContain(hash)))
        {
            return false;
        }

        if (_count * BloomBitsPerId >= (long)_bloom.Length * 64)
        {
            RebuildBloom(Math.Max(_count * 2, 1));
        }

        InsertRecent(hash);
        AddToBloom(hash);
        _count++;
        if (_recentCount == _recentIds)
        {
            SpillRecent();
        }

        return true;
    }

    public void Dispose()
    {
        foreach (var run in _runs)
        {
            run.Dispose();
        }

        _runs.Clear();
    }

    /// <summary>A loop, not a lambda: a capturing lambda here made a closure on every <see cref="Add"/>.</summary>
    private bool RunsContain(ulong hash)
    {
        foreach (var run in _runs)
        {
            if (run.Contains(hash))
            {
                return true;
            }
        }

        return false;
    }

    private bool RecentContains(ulong hash)
    {
        var mask = _recent.Length - 1;
        for (var slot = Slot(hash, mask); _recent[slot] != 0; slot = (slot + 1) & mask)
        {
            if (_recent[slot] == hash)
            {
                return true;
            }
        }

        return false;
    }

    private void InsertRecent(ulong hash)
    {
        if ((_recentCount + 1) * 2 > _recent.Length)
        {
            var old = _recent;
            _recent = new ulong[old.Length * 2];
            foreach (var h in old)
            {
                if (h != 0)
                {
                    Place(h);
                }
            }
        }

        Place(hash);
        _recentCount++;
    }

    private void Place(ulong hash)
    {
        var mask = _recent.Length - 1;
        var slot = Slot(hash, mask);
        while (_recent[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        _recent[slot] = hash;
    }

    private static int Slot(ulong hash, int mask) => (int)((hash * 0x9E3779B97F4A7C15UL) >> 40) & mask;

    /// <summary>The in-memory ids, sorted, become a run; many runs are merged into one.</summary>
    private void SpillRecent()
    {
        // Sorted in place at the front of the table (each id moves only towards the front): a spill allocates nothing.
        var n = 0;
        for (var i = 0; i < _recent.Length; i++)
        {
            if (_recent[i] != 0)
            {
                _recent[n++] = _recent[i];
            }
        }

        var sorted = _recent.AsSpan(0, n);
        sorted.Sort();
        _runs.Add(IdRun.Write(_folder, sorted));
        Array.Clear(_recent);
        _recentCount = 0;
        if (_runs.Count > MaxRuns)
        {
            var merged = IdRun.Write(_folder, _runs.Select(run => run.ReadAll()));
            Dispose();
            _runs.Add(merged);
        }
    }

    private bool MayContain(ulong hash)
    {
        var (h1, h2) = BloomHashPair(hash);
        var bits = (ulong)_bloom.Length * 64;
        for (var i = 0; i < BloomHashes; i++)
        {
            var bit = (h1 + ((ulong)i * h2)) % bits;
            if ((_bloom[bit >> 6] & (1UL << (int)(bit & 63))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private void AddToBloom(ulong hash)
    {
        var (h1, h2) = BloomHashPair(hash);
        var bits = (ulong)_bloom.Length * 64;
        for (var i = 0; i < BloomHashes; i++)
        {
            var bit = (h1 + ((ulong)i * h2)) % bits;
            _bloom[bit >> 6] |= 1UL << (int)(bit & 63);
        }
    }

    /// <summary>Two independent-looking hashes from one (splitmix64 finalizers), for double hashing.</summary>
    private static (ulong, ulong) BloomHashPair(ulong hash)
    {
        static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        return (Mix(hash), Mix(hash + 0x9E3779B97F4A7C15UL) | 1);
    }

    /// <summary>A larger filter for about <paramref name="count"/> ids, refilled from the runs and the in-memory table.</summary>
    private void RebuildBloom(long count)
    {
        var words = (int)Math.Min(Array.MaxLength, Math.Max(64, count * BloomBitsPerId / 64));
        _bloom = new ulong[words];
        foreach (var run in _runs)
        {
            foreach (var block in run.ReadAll())
            {
                foreach (var h in block)
                {
                    AddToBloom(h);
                }
            }
        }

        foreach (var h in _recent)
        {
            if (h != 0)
            {
                AddToBloom(h);
            }
        }
    }

    /// <summary>Sorted hashes in a temporary file, with every <see cref="Stride"/>-th hash in memory to find a block.</summary>
    private sealed class IdRun : IDisposable
    {
        public const int Stride = 512;
        private readonly FileStream _file;
        private readonly ulong[] _index;
        private readonly long _count;
        private readonly ulong[] _block = new ulong[Stride];

        private IdRun(FileStream file, ulong[] index, long count)
        {
            _file = file;
            _index = index;
            _count = count;
        }

        /// <summary>Writes sorted hashes as one run.</summary>
        public static IdRun Write(string? folder, ReadOnlySpan<ulong> sorted)
        {
            var file = ScratchFile.Create(folder, "ids");
            RandomAccess.Write(file.SafeFileHandle, MemoryMarshal.AsBytes(sorted), 0);
            var index = new ulong[(sorted.Length + Stride - 1) / Stride];
            for (var i = 0; i < index.Length; i++)
            {
                index[i] = sorted[i * Stride];
            }

            return new IdRun(file, index, sorted.Length);
        }

        /// <summary>Writes the merge of sorted sequences (each given as blocks) as one run.</summary>
        public static IdRun Write(string? folder, IEnumerable<IEnumerable<ArraySegment<ulong>>> sources)
        {
            var file = ScratchFile.Create(folder, "ids");
            var index = new List<ulong>();
            var buffer = new ulong[1 << 13];
            var buffered = 0;
            long count = 0;
            foreach (var hash in Merge(sources))
            {
                if (count % Stride == 0)
                {
                    index.Add(hash);
                }

                buffer[buffered++] = hash;
                count++;
                if (buffered == buffer.Length)
                {
                    RandomAccess.Write(file.SafeFileHandle, MemoryMarshal.AsBytes(buffer.AsSpan()), (count - buffered) * sizeof(ulong));
                    buffered = 0;
                }
            }

            RandomAccess.Write(file.SafeFileHandle, MemoryMarshal.AsBytes(buffer.AsSpan(0, buffered)), (count - buffered) * sizeof(ulong));
            return new IdRun(file, [.. index], count);
        }

        public bool Contains(ulong hash)
        {
            // The last index entry at or below the hash names the only block that can hold it.
            var at = Array.BinarySearch(_index, hash);
            if (at >= 0)
            {
                return true;
            }

            var block = ~at - 1;
            if (block < 0)
            {
                return false;
            }

            var start = (long)block * Stride;
            var length = (int)Math.Min(Stride, _count - start);
            RandomAccess.Read(_file.SafeFileHandle, MemoryMarshal.AsBytes(_block.AsSpan(0, length)), start * sizeof(ulong));
            return Array.BinarySearch(_block, 0, length, hash) >= 0;
        }

        /// <summary>
        /// The whole run in order, a block at a time, each block read into the same buffer (valid until the next): a new
        /// array per block made a merge of 1,000,000 ids allocate 8 MB.
        /// </summary>
        public IEnumerable<ArraySegment<ulong>> ReadAll()
        {
            var buffer = new ulong[(int)Math.Min(1 << 13, Math.Max(_count, 1))];
            for (long start = 0; start < _count; start += buffer.Length)
            {
                var block = new ArraySegment<ulong>(buffer, 0, (int)Math.Min(buffer.Length, _count - start));
                RandomAccess.Read(_file.SafeFileHandle, MemoryMarshal.AsBytes(block.AsSpan()), start * sizeof(ulong));
                yield return block;
            }
        }

        public void Dispose() => _file.Dispose();

        /// <summary>A k-way merge of sorted sequences (k ≤ 9 here: a linear scan of the heads is enough).</summary>
        private static IEnumerable<ulong> Merge(IEnumerable<IEnumerable<ArraySegment<ulong>>> sources)
        {
            var cursors = sources.Select(s => new Cursor(s.GetEnumerator())).Where(c => c.Valid).ToList();
            while (cursors.Count > 0)
            {
                var best = 0;
                for (var i = 1; i < cursors.Count; i++)
                {
                    if (cursors[i].Head < cursors[best].Head)
                    {
                        best = i;
                    }
                }

                yield return cursors[best].Head;
                if (!cursors[best].MoveNext())
                {
                    cursors.RemoveAt(best);
                }
            }
        }

        private sealed class Cursor
        {
            private readonly IEnumerator<ArraySegment<ulong>> _blocks;
            private ArraySegment<ulong> _block = ArraySegment<ulong>.Empty;
            private int _at;

            public Cursor(IEnumerator<ArraySegment<ulong>> blocks)
            {
                _blocks = blocks;
                Valid = NextBlock();
            }

            public bool Valid { get; }

            public ulong Head => _block[_at];

            public bool MoveNext() => ++_at < _block.Count || NextBlock();

            private bool NextBlock()
            {
                while (_blocks.MoveNext())
                {
                    _block = _blocks.Current;
                    _at = 0;
                    if (_block.Count > 0)
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }
}

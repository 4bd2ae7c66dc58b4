using System.Runtime.InteropServices;

namespace PrefSuite.Data.Files;

/// <summary>
/// Sorts a stream of fixed-size records in memory that does not grow with their number: records gather in a buffer,
/// each full buffer is sorted and written to a temporary run file, and the runs are merged, at most
/// <see cref="FanIn"/> at a time, each read through a small block. As runs come, every <see cref="FanIn"/> of one size
/// are merged into one of the next, so open files stay few (under <see cref="FanIn"/> a size) and each record is
/// rewritten once a size. The blocks are made once and reused, so a sort of ten million records allocates what one of
/// a hundred thousand does. Records that compare equal come in no set order.
/// </summary>
internal sealed class ExternalSort<T> : IDisposable
    where T : unmanaged
{
    /// <summary>Runs merged at once; more are first merged into longer runs.</summary>
    public const int FanIn = 16;

    /// <summary>Memory for records before a run is written.</summary>
    public const int DefaultBufferBytes = 768 << 10;

    private static readonly int RecordSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
    private readonly string? _folder;
    private readonly IComparer<T> _comparer;
    private readonly T[] _buffer;
    private readonly int _blockRecords;
    private readonly List<Run> _runs = [];
    private readonly Stack<T[]> _blocks = new();
    private int _buffered;
    private bool _read;

    /// <param name="folder">Where run files go (default: the system's temporary folder).</param>
    /// <param name="bufferRecords">Records in memory before a run is written (default: <see cref="DefaultBufferBytes"/> of them).</param>
    public ExternalSort(string? folder, IComparer<T> comparer, int? bufferRecords = null)
    {
        var records = bufferRecords ?? DefaultBufferBytes / RecordSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(records, 2);
        _folder = folder;
        _comparer = comparer;
        _buffer = new T[records];
        _blockRecords = Math.Clamp((8 << 10) / RecordSize, 1, records);
    }

    public long Count { get; private set; }

    /// <summary>Run files written (for tests and figures).</summary>
    public int RunFiles { get; private set; }

    public void Add(in T record)
    {
        if (_read)
        {
            throw new InvalidOperationException("The records were read already.");
        }

        if (_buffered == _buffer.Length)
        {
            SpillBuffer();
        }

        _buffer[_buffered++] = record;
        Count++;
    }

    /// <summary>Every record added, in order; once, after the last <see cref="Add"/>.</summary>
    public IEnumerable<T> Sorted()
    {
        if (_read)
        {
            throw new InvalidOperationException("The records were read already.");
        }

        _read = true;
        if (_runs.Count == 0)
        {
            _buffer.AsSpan(0, _buffered).Sort(_comparer);
            return _buffer.Take(_buffered);
        }

        if (_buffered > 0)
        {
            SpillBuffer();
        }

        while (_runs.Count > FanIn)
        {
            var merging = _runs.GetRange(0, FanIn);
            _runs.RemoveRange(0, FanIn);
            _runs.Add(Write(Merge(merging), merging[^1].Level + 1));
            merging.ForEach(run => run.Dispose());
        }

        return Merge(_runs);
    }

    public void Dispose()
    {
        _runs.ForEach(run => run.Dispose());
        _runs.Clear();
    }

    private void SpillBuffer()
    {
        var sorted = _buffer.AsSpan(0, _buffered);
        sorted.Sort(_comparer);
        var file = ScratchFile.Create(_folder, "sort");
        RandomAccess.Write(file.SafeFileHandle, MemoryMarshal.AsBytes(sorted), 0);
        _runs.Add(new Run(file, _buffered, 0));
        RunFiles++;
        _buffered = 0;

        // The newest runs are the smallest: sixteen of one size become one of the next.
        while (_runs.Count >= FanIn && _runs[^FanIn].Level == _runs[^1].Level)
        {
            var merging = _runs.GetRange(_runs.Count - FanIn, FanIn);
            _runs.RemoveRange(_runs.Count - FanIn, FanIn);
            _runs.Add(Write(Merge(merging), merging[0].Level + 1));
            merging.ForEach(run => run.Dispose());
        }

        MostRunsOpen = Math.Max(MostRunsOpen, _runs.Count);
    }

    /// <summary>The most run files open at once while records were added (for tests).</summary>
    public int MostRunsOpen { get; private set; }

    /// <summary>A merge's records as one longer run.</summary>
    private Run Write(IEnumerable<T> sorted, int level)
    {
        var file = ScratchFile.Create(_folder, "sort");
        var block = RentBlock();
        long position = 0, count = 0;
        var filled = 0;
        foreach (var record in sorted)
        {
            block[filled++] = record;
            if (filled == block.Length)
            {
                position += Flush(filled);
                filled = 0;
            }

            count++;
        }

        position += Flush(filled);
        _blocks.Push(block);
        RunFiles++;
        return new Run(file, count, level);

        int Flush(int records)
        {
            var bytes = MemoryMarshal.AsBytes(block.AsSpan(0, records));
            RandomAccess.Write(file.SafeFileHandle, bytes, position);
            return bytes.Length;
        }
    }

    private IEnumerable<T> Merge(List<Run> runs)
    {
        var readers = new RunReader[runs.Count];
        for (var i = 0; i < runs.Count; i++)
        {
            readers[i] = new RunReader(runs[i], RentBlock());
        }

        try
        {
            var heap = new PriorityQueue<int, T>(readers.Length, _comparer);
            for (var i = 0; i < readers.Length; i++)
            {
                if (readers[i].TryRead(out var first))
                {
                    heap.Enqueue(i, first);
                }
            }

            while (heap.TryDequeue(out var reader, out var record))
            {
                yield return record;
                if (readers[reader].TryRead(out var next))
                {
                    heap.Enqueue(reader, next);
                }
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                _blocks.Push(reader.Block);
            }
        }
    }

    private T[] RentBlock() => _blocks.TryPop(out var block) ? block : new T[_blockRecords];

    /// <summary>A sorted run file; <see cref="Level"/>: how many merges made it (0: one buffer).</summary>
    private sealed class Run(FileStream file, long count, int level) : IDisposable
    {
        public FileStream File { get; } = file;

        public long Count { get; } = count;

        public int Level { get; } = level;

        public void Dispose() => File.Dispose();
    }

    /// <summary>A run read front to back through one block.</summary>
    private sealed class RunReader(Run run, T[] block)
    {
        private readonly T[] _block = block;
        private long _next;
        private int _at;
        private int _filled;

        public T[] Block => _block;

        public bool TryRead(out T record)
        {
            if (_at == _filled)
            {
                var records = (int)Math.Min(_block.Length, run.Count - _next);
                if (records == 0)
                {
                    record = default;
                    return false;
                }

                var bytes = MemoryMarshal.AsBytes(_block.AsSpan(0, records));
                for (var done = 0; done < bytes.Length;)
                {
                    var read = RandomAccess.Read(run.File.SafeFileHandle, bytes[done..], ((_next * RecordSize) + done));
                    done += read > 0 ? read : throw new IOException("A sort run file ended early.");
                }

                _next += records;
                _filled = records;
                _at = 0;
            }

            record = _block[_at++];
            return true;
        }
    }
}

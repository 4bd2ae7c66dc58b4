using System.Runtime.InteropServices;
using PrefSuite.Data.Files;
using PrefSuite.Science.Margins;

namespace PrefSuite.Data.Selection;

/// <summary>One candidate pair's numbers: its margins, where its texts start in the spill, and its prompt's number.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly record struct PairNumber(double External, double Implicit, long Offset, int Prompt);

/// <summary>
/// The numbers of every candidate pair, appended to a temporary file as the dataset streams by and read back in passes
/// (dataset quantiles, the top K, routing, the curriculum order), so that memory holds a buffer, not a number per pair:
/// 28 bytes a pair on disk, read from the page cache on each pass.
/// </summary>
internal sealed class PairNumbers : IPairMargins, IDisposable
{
    private static readonly int RecordSize = System.Runtime.CompilerServices.Unsafe.SizeOf<PairNumber>();
    private const int BlockRecords = 1 << 13;

    private readonly FileStream _file;
    private readonly byte[] _buffer = new byte[BlockRecords * RecordSize];
    private byte[]? _readBlock;
    private int _buffered;
    private long _flushed;

    public PairNumbers(string? folder)
    {
        _file = ScratchFile.Create(folder, "numbers");
    }

    public long Count { get; private set; }

    /// <summary>Whether the pairs carry implicit margins; the selector decides it from the first pair.</summary>
    public bool HasImplicit { get; set; }

    /// <summary>How many pairs have an external margin of zero.</summary>
    public long ZeroMargins { get; private set; }

    public void Add(in PairNumber number)
    {
        if (_buffered == _buffer.Length)
        {
            Flush();
        }

        MemoryMarshal.Write(_buffer.AsSpan(_buffered), in number);
        _buffered += RecordSize;
        ZeroMargins += number.External == 0 ? 1 : 0;
        Count++;
    }

    /// <summary>Every pair's numbers in input order (a new pass each call).</summary>
    public IEnumerable<PairNumber> Read()
    {
        Flush();

        // One block reused pass after pass (a second pass at the same time gets its own): a selection makes dozens of
        // passes, and a new block each, a large-object-heap array, would pile up as garbage until a full collection.
        var block = Interlocked.Exchange(ref _readBlock, null) ?? new byte[_buffer.Length];
        try
        {
            for (long position = 0; position < _flushed;)
            {
                var read = RandomAccess.Read(_file.SafeFileHandle, block.AsSpan(0, (int)Math.Min(block.Length, _flushed - position)), position);
                var whole = read - (read % RecordSize); // a short read that splits a record is read again from there
                if (whole <= 0)
                {
                    throw new IOException("The pair numbers file ended early.");
                }

                for (var offset = 0; offset < whole; offset += RecordSize)
                {
                    yield return At(block, offset);
                }

                position += whole;
            }
        }
        finally
        {
            _readBlock = block;
        }
    }

    public IEnumerable<PairMargins> Pass() => Read().Select(n => new PairMargins(n.External, n.Implicit));

    public void Dispose() => _file.Dispose();

    private static PairNumber At(byte[] block, int offset) => MemoryMarshal.Read<PairNumber>(block.AsSpan(offset));

    private void Flush()
    {
        if (_buffered == 0)
        {
            return;
        }

        RandomAccess.Write(_file.SafeFileHandle, _buffer.AsSpan(0, _buffered), _flushed);
        _flushed += _buffered;
        _buffered = 0;
    }
}

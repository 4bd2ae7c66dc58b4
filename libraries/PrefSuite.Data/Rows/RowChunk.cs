using System.Buffers;

namespace PrefSuite.Data.Rows;

/// <summary>
/// A block of consecutive rows of a dataset file, each one JSON object in UTF-8, its bytes rented from
/// <see cref="RowBuffers"/> and its offsets from the shared pool: the unit that is parsed in parallel and consumed in
/// order. Dispose returns the buffers.
/// </summary>
internal sealed class RowChunk : IDisposable
{
    private readonly long _firstLineOrRow;
    private readonly int _rowGroup;
    private readonly long _firstRowInGroup;
    private byte[]? _buffer;
    private int[]? _starts;
    private int[]? _lengths;
    private long[]? _lines;

    private RowChunk(byte[] buffer, int[] starts, int[] lengths, long[]? lines, int count, long firstRow, int rowGroup, long firstRowInGroup)
    {
        _buffer = buffer;
        _starts = starts;
        _lengths = lengths;
        _lines = lines;
        Count = count;
        _firstLineOrRow = firstRow;
        _rowGroup = rowGroup;
        _firstRowInGroup = firstRowInGroup;
    }

    public int Count { get; }

    /// <summary>The chunk's position among the file's chunks, from 0.</summary>
    public long Sequence { get; set; }

    public byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(RowChunk));

    public ReadOnlySpan<byte> Row(int index) => Buffer.AsSpan(_starts![index], _lengths![index]);

    /// <summary>The rows' bytes, for estimating how many rows a file holds.</summary>
    public long Bytes => Count == 0 ? 0 : _starts![Count - 1] + _lengths![Count - 1] - _starts[0];

    public int Start(int index) => _starts![index];

    public RowLocation Location(int index) => _lines is { } lines
        ? RowLocation.OfLine(lines[index])
        : RowLocation.OfParquet(_rowGroup, _firstRowInGroup + index, _firstLineOrRow + index);

    /// <summary>Rows of a JSONL file: <paramref name="lines"/> are 1-based line numbers.</summary>
    public static RowChunk OfLines(byte[] buffer, int[] starts, int[] lengths, long[] lines, int count) =>
        new(buffer, starts, lengths, lines, count, 0, -1, -1);

    /// <summary>Rows of a Parquet row group, starting at <paramref name="firstRowInGroup"/>.</summary>
    public static RowChunk OfParquet(byte[] buffer, int[] starts, int[] lengths, int count, int rowGroup, long firstRowInGroup, long firstRow) =>
        new(buffer, starts, lengths, null, count, firstRow, rowGroup, firstRowInGroup);

    public void Dispose()
    {
        if (_buffer is not null)
        {
            RowBuffers.Pool.Return(_buffer);
            _buffer = null;
        }

        Return(ref _starts);
        Return(ref _lengths);
        Return(ref _lines);
    }

    private static void Return<T>(ref T[]? array)
    {
        if (array is not null)
        {
            ArrayPool<T>.Shared.Return(array);
            array = null;
        }
    }
}

using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace PrefSuite.Data.Rows;

/// <summary>
/// Parquet rows (as Hugging Face Hub datasets ship them): one row group at a time, only the columns asked for, each
/// row reassembled as a JSON object so every reader shares one parser. Memory: the chosen columns of one row group.
/// </summary>
internal sealed class ParquetRows : DatasetRows
{
    private const int ChunkBytes = 1 << 20;
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly Stream _stream;
    private readonly ParquetReader _reader;

    private ParquetRows(Stream stream, ParquetReader reader, string name)
        : base(name)
    {
        _stream = stream;
        _reader = reader;
    }

    public override IReadOnlyList<string> Columns => [.. _reader.Schema.Fields.Select(f => f.Name)];

    public override bool IsParquet => true;

    public static new async Task<ParquetRows> OpenAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        try
        {
            var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new ParquetRows(stream, reader, name);
        }
        catch (Exception error) when (error is ParquetException or IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new DataFormatException(name, null, null, $"not a readable Parquet file: {error.Message}");
        }
    }

    public override async IAsyncEnumerable<RowChunk> ReadChunksAsync(Func<string, bool>? include = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var fields = _reader.Schema.Fields.Where(f => include?.Invoke(f.Name) ?? true).ToArray();
        long firstRowOfGroup = 0;
        var sequence = 0L;
        using var buffer = new PooledBufferWriter(ChunkBytes + (ChunkBytes / 4));
        using var writer = new Utf8JsonWriter(buffer, JsonOptions);
        for (var g = 0; g < _reader.RowGroupCount; g++)
        {
            using var group = _reader.OpenRowGroupReader(g);
            var rows = group.RowCount;
            var columns = await ReadColumnsAsync(group, fields, g, firstRowOfGroup, cancellationToken).ConfigureAwait(false);
            try
            {
                long row = 0;
                while (row < rows)
                {
                    var capacity = (int)Math.Min(rows - row, 4096);
                    var starts = ArrayPool<int>.Shared.Rent(capacity);
                    var lengths = ArrayPool<int>.Shared.Rent(capacity);
                    var first = row;
                    var count = 0;
                    while (count < capacity && (count == 0 || buffer.WrittenCount < ChunkBytes))
                    {
                        var start = buffer.WrittenCount;
                        try
                        {
                            columns.WriteRow(writer);
                            writer.Flush();
                        }
                        catch (Exception error) when (error is InvalidDataException or NotSupportedException or IndexOutOfRangeException)
                        {
                            throw new DataFormatException(Name, RowLocation.OfParquet(g, row, firstRowOfGroup + row), null, $"cannot reassemble the row: {error.Message}");
                        }

                        writer.Reset(buffer);
                        starts[count] = start;
                        lengths[count] = buffer.WrittenCount - start;
                        count++;
                        row++;
                    }

                    var chunk = RowChunk.OfParquet(buffer.Detach(ChunkBytes + (ChunkBytes / 4)), starts, lengths, count, g, first, firstRowOfGroup + first);
                    writer.Reset(buffer);
                    chunk.Sequence = sequence++;
                    yield return chunk;
                }
            }
            finally
            {
                columns.Dispose();
            }

            firstRowOfGroup += rows;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<ParquetJson> ReadColumnsAsync(ParquetRowGroupReader group, IReadOnlyList<Field> fields, int g, long firstRow, CancellationToken cancellationToken)
    {
        try
        {
            return await ParquetJson.ReadAsync(group, fields, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is ParquetException or IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new DataFormatException(Name, RowLocation.OfParquet(g, 0, firstRow), null, $"cannot read row group {g}: {error.Message}");
        }
    }
}

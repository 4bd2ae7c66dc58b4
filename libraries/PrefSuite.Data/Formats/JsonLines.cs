using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using PrefSuite.Data.Rows;

namespace PrefSuite.Data.Formats;

/// <summary>
/// JSONL: reads a file line by line (blank lines skipped, a line that is not JSON is an error naming it) and writes one
/// compact object per line through one reused UTF-8 writer.
/// </summary>
public static class JsonLines
{
    internal static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The largest line accepted: guards against a binary or a single-line giant file.</summary>
    public const int MaxLineLength = JsonlRows.MaxLineLength;

    /// <summary>Every non-blank line as a parsed document, in order (a JSONL or Parquet file; Parquet rows come as JSON objects).</summary>
    public static async IAsyncEnumerable<(int Line, JsonDocument Document)> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var (location, document) in ReadRowsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            yield return ((int)Math.Min(location.Line, int.MaxValue), document);
        }
    }

    /// <summary>Every row of a JSONL or Parquet file as a parsed document with its location.</summary>
    public static async IAsyncEnumerable<(RowLocation Location, JsonDocument Document)> ReadRowsAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var rows = await DatasetRows.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        await foreach (var chunk in rows.ReadChunksAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            using (chunk)
            {
                for (var i = 0; i < chunk.Count; i++)
                {
                    yield return (chunk.Location(i), Parse(path, chunk.Location(i), chunk.Row(i)));
                }
            }
        }
    }

    internal static JsonDocument Parse(string path, RowLocation location, ReadOnlySpan<byte> row)
    {
        try
        {
            return JsonDocument.Parse(row.ToArray());
        }
        catch (JsonException error)
        {
            var text = System.Text.Encoding.UTF8.GetString(row);
            var hint = text.Contains("NaN", StringComparison.Ordinal) || text.Contains("Infinity", StringComparison.Ordinal)
                ? " (NaN and Infinity are not JSON numbers; a reward must be a finite number)"
                : string.Empty;
            var reason = error.Message.Split(" LineNumber:", 2)[0].TrimEnd('.');
            throw new DataFormatException(path, location, null, $"not valid JSON at character {error.BytePositionInLine + 1}: {reason}{hint}");
        }
    }

    /// <summary>Writes each item as one line, <paramref name="write"/> producing its object.</summary>
    public static async Task WriteAsync<T>(Stream stream, IEnumerable<T> items, Action<Utf8JsonWriter, T> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(write);
        using var lines = new JsonLineWriter(stream);
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            write(lines.Writer, item);
            await lines.EndLineAsync(cancellationToken).ConfigureAwait(false);
        }

        await lines.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes each item of an asynchronous stream as one line.</summary>
    public static async Task<long> WriteAsync<T>(Stream stream, IAsyncEnumerable<T> items, Action<Utf8JsonWriter, T> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(write);
        using var lines = new JsonLineWriter(stream);
        long count = 0;
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            write(lines.Writer, item);
            await lines.EndLineAsync(cancellationToken).ConfigureAwait(false);
            count++;
        }

        await lines.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }
}

/// <summary>One JSON object per line into a stream, through one reused <see cref="Utf8JsonWriter"/> and a pooled buffer.</summary>
internal sealed class JsonLineWriter : IDisposable
{
    private const int FlushAt = 1 << 20;
    private readonly Stream _stream;
    private readonly PooledBufferWriter _buffer = new(FlushAt + (FlushAt / 2));

    public JsonLineWriter(Stream stream)
    {
        _stream = stream;
        Writer = new Utf8JsonWriter(_buffer, JsonLines.WriterOptions);
    }

    public Utf8JsonWriter Writer { get; }

    public ValueTask EndLineAsync(CancellationToken cancellationToken)
    {
        EndLine();
        return _buffer.WrittenCount >= FlushAt ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    public void EndLine()
    {
        Writer.Flush();
        _buffer.Write("\n"u8);
        Writer.Reset(_buffer);
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        Writer.Dispose();
        _buffer.Dispose();
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _buffer.Clear();
    }
}

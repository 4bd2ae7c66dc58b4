using System.Runtime.CompilerServices;
using System.Text.Json;

namespace PrefSuite.Data.Formats;

/// <summary>
/// JSONL: reads a file line by line (blank lines skipped, a line that is not JSON is an error naming it) and writes one
/// compact object per line.
/// </summary>
public static class JsonLines
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The largest line accepted: guards against a binary or a single-line giant file.</summary>
    public const int MaxLineLength = 64 * 1024 * 1024;

    public static async IAsyncEnumerable<(int Line, JsonDocument Document)> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, 0, null, "the file does not exist");
        }

        using var reader = new StreamReader(path);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (line.Length > MaxLineLength)
            {
                throw new DataFormatException(path, lineNumber, null, $"the line is longer than {MaxLineLength} characters");
            }

            yield return (lineNumber, Parse(path, lineNumber, line));
        }
    }

    private static JsonDocument Parse(string path, int lineNumber, string line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException error)
        {
            var hint = line.Contains("NaN", StringComparison.Ordinal) || line.Contains("Infinity", StringComparison.Ordinal)
                ? " (NaN and Infinity are not JSON numbers; a reward must be a finite number)"
                : string.Empty;
            var reason = error.Message.Split(" LineNumber:", 2)[0].TrimEnd('.');
            throw new DataFormatException(path, lineNumber, null, $"not valid JSON at character {error.BytePositionInLine + 1}: {reason}{hint}");
        }
    }

    /// <summary>Writes each item as one line, <paramref name="write"/> producing its object.</summary>
    public static async Task WriteAsync<T>(Stream stream, IEnumerable<T> items, Action<Utf8JsonWriter, T> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(write);
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using (var writer = new Utf8JsonWriter(stream, WriterOptions))
            {
                write(writer, item);
            }

            stream.WriteByte((byte)'\n');
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

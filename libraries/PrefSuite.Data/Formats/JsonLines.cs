using System.Runtime.CompilerServices;
using System.Text.Json;

namespace PrefSuite.Data.Formats;

/// <summary>Reads a JSONL file line by line; blank lines are skipped, a line that is not JSON is an error naming it.</summary>
public static class JsonLines
{
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
}

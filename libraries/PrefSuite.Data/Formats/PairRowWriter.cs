using System.Text.Json;
using PrefSuite.Data.Files;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>Writes pair rows as JSONL (every column of <see cref="PairColumns"/>), atomically: the file appears complete or not at all.</summary>
public static class PairRowWriter
{
    public static Task WriteAsync(string path, IEnumerable<PairRow> rows, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, (stream, ct) => WriteAsync(stream, rows, ct), cancellationToken);

    public static Task WriteAsync(Stream stream, IEnumerable<PairRow> rows, CancellationToken cancellationToken = default) =>
        JsonLines.WriteAsync(stream, rows, Write, cancellationToken);

    public static Task<long> WriteAsync(Stream stream, IAsyncEnumerable<PairRow> rows, CancellationToken cancellationToken = default) =>
        JsonLines.WriteAsync(stream, rows, Write, cancellationToken);

    public static void Write(Utf8JsonWriter writer, PairRow row)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(row);
        writer.WriteStartObject();
        if (row.PromptId is null)
        {
            writer.WriteNull("prompt_id"u8);
        }
        else
        {
            writer.WriteString("prompt_id"u8, row.PromptId);
        }

        writer.WritePropertyName("prompt"u8);
        WritePrompt(writer, row.Prompt);
        WriteResponse(writer, "chosen"u8, row.Chosen, row.Prompt.IsConversational);
        WriteResponse(writer, "rejected"u8, row.Rejected, row.Prompt.IsConversational);
        PairColumns.WriteTail(writer, row.Tail);
        writer.WriteEndObject();
    }

    public static void WritePrompt(Utf8JsonWriter writer, PromptText prompt)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.Text is { } text)
        {
            writer.WriteStringValue(text);
            return;
        }

        writer.WriteStartArray();
        foreach (var message in prompt.Messages!)
        {
            writer.WriteStartObject();
            writer.WriteString("role"u8, message.Role);
            writer.WriteString("content"u8, message.Content);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>A response: a string, or for conversational rows a one-message assistant list (TRL's conversational format).</summary>
    public static void WriteResponse(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string text, bool conversational)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!conversational)
        {
            writer.WriteString(name, text);
            return;
        }

        writer.WriteStartArray(name);
        writer.WriteStartObject();
        writer.WriteString("role"u8, "assistant");
        writer.WriteString("content"u8, text);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }
}

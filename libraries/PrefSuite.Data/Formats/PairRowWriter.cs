using System.Text.Json;
using PrefSuite.Data.Files;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>Writes pair rows as JSONL, atomically: the file appears complete or not at all.</summary>
public static class PairRowWriter
{
    public static Task WriteAsync(string path, IEnumerable<PairRow> rows, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, (stream, ct) => WriteAsync(stream, rows, ct), cancellationToken);

    public static Task WriteAsync(Stream stream, IEnumerable<PairRow> rows, CancellationToken cancellationToken = default) =>
        JsonLines.WriteAsync(stream, rows, Write, cancellationToken);

    public static void Write(Utf8JsonWriter writer, PairRow row)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(row);
        writer.WriteStartObject();
        if (row.PromptId is not null)
        {
            writer.WriteString("prompt_id", row.PromptId);
        }

        writer.WritePropertyName("prompt");
        WritePrompt(writer, row.Prompt);
        WriteResponse(writer, "chosen", row.Chosen, row.Prompt.IsConversational);
        WriteResponse(writer, "rejected", row.Rejected, row.Prompt.IsConversational);
        writer.WriteNumber("score_chosen", row.ScoreChosen);
        writer.WriteNumber("score_rejected", row.ScoreRejected);
        WriteOptional(writer, "margin", row.Margin);
        WriteOptional(writer, "route", row.Route);
        WriteOptional(writer, "strategy", row.Strategy);
        WriteOptional(writer, "chosen_position", row.ChosenPosition);
        WriteOptional(writer, "rejected_position", row.RejectedPosition);
        WriteOptional(writer, "chosen_index", row.ChosenIndex);
        WriteOptional(writer, "rejected_index", row.RejectedIndex);
        WriteOptional(writer, "fallback", row.Fallback);
        WriteOptional(writer, "implicit_margin", row.ImplicitMargin);
        WriteOptional(writer, "p_external", row.ProbabilityExternal);
        WriteOptional(writer, "p_implicit", row.ProbabilityImplicit);
        WriteOptional(writer, "probability", row.Probability);
        WriteOptional(writer, "goal", row.Goal);
        if (row.Swapped is { } swapped)
        {
            writer.WriteBoolean("swapped", swapped);
        }

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
            writer.WriteString("role", message.Role);
            writer.WriteString("content", message.Content);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteResponse(Utf8JsonWriter writer, string name, string text, bool conversational)
    {
        if (!conversational)
        {
            writer.WriteString(name, text);
            return;
        }

        writer.WriteStartArray(name);
        writer.WriteStartObject();
        writer.WriteString("role", "assistant");
        writer.WriteString("content", text);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }
}

using System.Text.Json;
using PrefSuite.Data.Files;

namespace PrefSuite.Data.Formats;

/// <summary>Writes scored prompts in PrefSuite's JSONL format (every response with all its scores), atomically.</summary>
public static class ScoredPromptWriter
{
    public static Task WriteAsync(string path, IEnumerable<ScoredPrompt> prompts, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, (stream, ct) => WriteAsync(stream, prompts, ct), cancellationToken);

    public static Task WriteAsync(Stream stream, IEnumerable<ScoredPrompt> prompts, CancellationToken cancellationToken = default) =>
        JsonLines.WriteAsync(stream, prompts, Write, cancellationToken);

    private static void Write(Utf8JsonWriter writer, ScoredPrompt prompt)
    {
        writer.WriteStartObject();
        writer.WriteString("prompt_id", prompt.PromptId);
        writer.WritePropertyName("prompt");
        PairRowWriter.WritePrompt(writer, prompt.Prompt);
        writer.WriteStartArray("responses");
        foreach (var response in prompt.Responses)
        {
            writer.WriteStartObject();
            writer.WriteString("text", response.Text);
            if (!double.IsNaN(response.Reward))
            {
                writer.WriteNumber("reward", response.Reward); // absent until scored
            }

            if (response.Rewards is { Count: > 0 } heads)
            {
                writer.WriteStartObject("rewards");
                foreach (var (head, value) in heads)
                {
                    writer.WriteNumber(head, value);
                }

                writer.WriteEndObject();
            }

            if (response.ImplicitReward is { } implicitReward)
            {
                writer.WriteNumber("implicit_reward", implicitReward);
            }

            if (response.Logprob is { } logprob)
            {
                writer.WriteNumber("logprob", logprob);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

using System.Text.Json;
using PrefSuite.Data.Files;

namespace PrefSuite.Data.Formats;

/// <summary>Writes scored prompts in PrefSuite's JSONL format (every response with all its scores, as floats), atomically.</summary>
public static class ScoredPromptWriter
{
    public static Task WriteAsync(string path, IEnumerable<ScoredPrompt> prompts, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, (stream, ct) => WriteAsync(stream, prompts, ct), cancellationToken);

    /// <summary>Writes a stream of scored prompts atomically; returns how many.</summary>
    public static async Task<long> WriteAsync(string path, IAsyncEnumerable<ScoredPrompt> prompts, CancellationToken cancellationToken = default)
    {
        long count = 0;
        await AtomicFile.WriteAsync(path, async (stream, ct) => count = await JsonLines.WriteAsync(stream, prompts, Write, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return count;
    }

    public static Task WriteAsync(Stream stream, IEnumerable<ScoredPrompt> prompts, CancellationToken cancellationToken = default) =>
        JsonLines.WriteAsync(stream, prompts, Write, cancellationToken);

    public static void Write(Utf8JsonWriter writer, ScoredPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(prompt);
        writer.WriteStartObject();
        writer.WriteString("prompt_id"u8, prompt.PromptId);
        writer.WritePropertyName("prompt"u8);
        PairRowWriter.WritePrompt(writer, prompt.Prompt);
        writer.WriteStartArray("responses"u8);
        foreach (var response in prompt.Responses)
        {
            writer.WriteStartObject();
            writer.WriteString("text"u8, response.Text);
            if (!double.IsNaN(response.Reward))
            {
                JsonFloat.Write(writer, "reward"u8, response.Reward); // absent until scored
            }

            if (response.Rewards is { Count: > 0 } heads)
            {
                writer.WriteStartObject("rewards"u8);
                foreach (var (head, value) in heads)
                {
                    writer.WritePropertyName(head);
                    JsonFloat.WriteValue(writer, value);
                }

                writer.WriteEndObject();
            }

            if (response.ImplicitReward is { } implicitReward)
            {
                JsonFloat.Write(writer, "implicit_reward"u8, implicitReward);
            }

            if (response.Logprob is { } logprob)
            {
                JsonFloat.Write(writer, "logprob"u8, logprob);
            }

            if (response.DenoisedReward is { } denoised)
            {
                JsonFloat.Write(writer, "denoised_reward"u8, denoised);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

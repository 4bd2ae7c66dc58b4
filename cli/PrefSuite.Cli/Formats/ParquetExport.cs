using Parquet.Serialization;
using PrefSuite.Data.Files;
using PrefSuite.Data.Formats;

namespace PrefSuite.Cli.Formats;

/// <summary>
/// Parquet files that Hugging Face datasets reads: pair rows with string or message-list columns, and every sampled
/// response (a list of structs per prompt). Written atomically like every other output.
/// </summary>
public static class ParquetExport
{
    public static Task WritePairsAsync(string path, IReadOnlyList<PairRow> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var conversational = rows.Count > 0 && rows[0].Prompt.IsConversational;
        if (rows.Any(r => r.Prompt.IsConversational != conversational))
        {
            throw new ArgumentException("Rows mix plain and conversational prompts; Parquet columns need one type (use --conversational).");
        }

        return AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            if (conversational)
            {
                await ParquetSerializer.SerializeAsync(rows.Select(ConversationalPair.From).ToArray(), stream, cancellationToken: ct).ConfigureAwait(false);
            }
            else
            {
                await ParquetSerializer.SerializeAsync(rows.Select(TextPair.From).ToArray(), stream, cancellationToken: ct).ConfigureAwait(false);
            }
        }, cancellationToken);
    }

    public static Task WriteSamplesAsync(string path, IReadOnlyList<ScoredPrompt> prompts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var rows = prompts.Select(p => new SampleRow
        {
            prompt_id = p.PromptId,
            prompt = p.Prompt.Flatten(),
            responses = p.Responses.Select(r => new SampleResponse { text = r.Text, reward = r.Reward, implicit_reward = r.ImplicitReward, logprob = r.Logprob }).ToList(),
        }).ToArray();
        return AtomicFile.WriteAsync(path, async (stream, ct) => await ParquetSerializer.SerializeAsync(rows, stream, cancellationToken: ct).ConfigureAwait(false), cancellationToken);
    }

#pragma warning disable CA1707, IDE1006, CA1002, CA2227 // Parquet column names are the properties' names: TRL's snake_case.
    /// <summary>A pair with plain-text prompt and responses.</summary>
    public sealed class TextPair
    {
        public string? prompt_id { get; set; }

        public string prompt { get; set; } = string.Empty;

        public string chosen { get; set; } = string.Empty;

        public string rejected { get; set; } = string.Empty;

        public double score_chosen { get; set; }

        public double score_rejected { get; set; }

        public double? margin { get; set; }

        public string? route { get; set; }

        public string? strategy { get; set; }

        public static TextPair From(PairRow row) => new()
        {
            prompt_id = row.PromptId,
            prompt = row.Prompt.Text!,
            chosen = row.Chosen,
            rejected = row.Rejected,
            score_chosen = row.ScoreChosen,
            score_rejected = row.ScoreRejected,
            margin = row.Margin,
            route = row.Route,
            strategy = row.Strategy,
        };
    }

    /// <summary>A turn of a conversation.</summary>
    public sealed class Message
    {
        public string role { get; set; } = string.Empty;

        public string content { get; set; } = string.Empty;
    }

    /// <summary>A pair in TRL's conversational form: prompt, chosen and rejected are message lists.</summary>
    public sealed class ConversationalPair
    {
        public string? prompt_id { get; set; }

        public List<Message> prompt { get; set; } = [];

        public List<Message> chosen { get; set; } = [];

        public List<Message> rejected { get; set; } = [];

        public double score_chosen { get; set; }

        public double score_rejected { get; set; }

        public double? margin { get; set; }

        public string? route { get; set; }

        public string? strategy { get; set; }

        public static ConversationalPair From(PairRow row) => new()
        {
            prompt_id = row.PromptId,
            prompt = row.Prompt.Messages!.Select(m => new Message { role = m.Role, content = m.Content }).ToList(),
            chosen = [new Message { role = "assistant", content = row.Chosen }],
            rejected = [new Message { role = "assistant", content = row.Rejected }],
            score_chosen = row.ScoreChosen,
            score_rejected = row.ScoreRejected,
            margin = row.Margin,
            route = row.Route,
            strategy = row.Strategy,
        };
    }

    /// <summary>One prompt with every sampled response.</summary>
    public sealed class SampleRow
    {
        public string prompt_id { get; set; } = string.Empty;

        public string prompt { get; set; } = string.Empty;

        public List<SampleResponse> responses { get; set; } = [];
    }

    /// <summary>One sampled response with its scores.</summary>
    public sealed class SampleResponse
    {
        public string text { get; set; } = string.Empty;

        public double reward { get; set; }

        public double? implicit_reward { get; set; }

        public double? logprob { get; set; }
    }
#pragma warning restore CA1707, IDE1006, CA1002, CA2227
}

using System.Runtime.CompilerServices;

namespace PrefSuite.Data.Formats;

/// <summary>How pair rows are read.</summary>
public sealed record PairReadOptions
{
    /// <summary>Refuse columns that are not pair columns instead of ignoring them with a note.</summary>
    public bool Strict { get; init; }

    /// <summary>Where ignored columns are recorded; null: not recorded.</summary>
    public FieldNotes? Notes { get; init; }

    /// <summary>Whether score_chosen and score_rejected are needed (training and augmentation need them; exports do not).</summary>
    public bool RequireScores { get; init; } = true;
}

/// <summary>
/// Reads TRL preference rows from JSONL or Parquet — prompt, chosen, rejected as strings or message lists, with
/// score_chosen and score_rejected, and PrefSuite's own columns when present. Without a prompt column the prompt is
/// the chosen conversation before its last assistant turn (TRL's implicit prompt). Other columns are ignored with a
/// note (or refused under --strict); "margin" is one of them: TRL's RewardTrainer column, which PrefSuite does not read.
/// </summary>
public static class PairRowReader
{
    private static readonly HashSet<string> Known = new([.. PairColumns.All, "messages"], StringComparer.Ordinal);

    public static async IAsyncEnumerable<PairRow> ReadAsync(string path, PairReadOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new PairReadOptions();
        await foreach (var (location, document) in JsonLines.ReadRowsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            using (document)
            {
                yield return Read(new JsonFields(path, location, document.RootElement), options);
            }
        }
    }

    public static Task<IReadOnlyList<PairRow>> ReadAllAsync(string path, CancellationToken cancellationToken = default) => ReadAllAsync(path, null, cancellationToken);

    public static async Task<IReadOnlyList<PairRow>> ReadAllAsync(string path, PairReadOptions? options, CancellationToken cancellationToken = default)
    {
        var rows = new List<PairRow>();
        await foreach (var row in ReadAsync(path, options, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static PairRow Read(JsonFields fields, PairReadOptions options)
    {
        foreach (var name in fields.Names)
        {
            if (Known.Contains(name))
            {
                continue;
            }

            if (options.Strict)
            {
                throw fields.Error(name, name == "margin"
                    ? "is TRL RewardTrainer's margin column; PrefSuite writes its score gap as score_margin (--strict)"
                    : "is not a pair column (--strict)");
            }

            options.Notes?.Ignore(name, fields.Location);
        }

        var prompt = fields.Has("prompt")
            ? fields.RequireText("prompt")
            : fields.Has("chosen") ? fields.ImplicitPrompt("chosen") ?? throw fields.Error("prompt", "is missing, and the chosen response is not a conversation to take the prompt from")
            : throw fields.Error("prompt", "is missing");
        double Score(string name) => options.RequireScores ? fields.RequireNumber(name) : fields.OptionalNumber(name) ?? double.NaN;
        var chosenScore = Score("score_chosen");
        var rejectedScore = Score("score_rejected");

        // score_margin is score_chosen − score_rejected by definition, so files without it (TRL's, or PrefSuite's before the
        // column was renamed from "margin") get it from the scores; a "margin" column is never read as one.
        var margin = fields.OptionalNumber("score_margin") ?? (double.IsNaN(chosenScore - rejectedScore) ? null : chosenScore - rejectedScore);
        return new PairRow
        {
            PromptId = fields.OptionalString("prompt_id"),
            Prompt = prompt,
            Chosen = fields.RequireResponseText("chosen"),
            Rejected = fields.RequireResponseText("rejected"),
            ScoreChosen = chosenScore,
            ScoreRejected = rejectedScore,
            Route = fields.OptionalString("route"),
            Strategy = fields.OptionalString("strategy"),
            Margin = margin,
            ChosenPosition = fields.OptionalString("chosen_position"),
            RejectedPosition = fields.OptionalString("rejected_position"),
            ChosenIndex = (int?)fields.OptionalNumber("chosen_index"),
            RejectedIndex = (int?)fields.OptionalNumber("rejected_index"),
            Fallback = fields.OptionalString("fallback"),
            ImplicitMargin = fields.OptionalNumber("implicit_margin"),
            ProbabilityExternal = fields.OptionalNumber("p_external"),
            ProbabilityImplicit = fields.OptionalNumber("p_implicit"),
            Probability = fields.OptionalNumber("probability"),
            Goal = fields.OptionalNumber("goal"),
            Swapped = fields.OptionalBoolean("swapped"),
        };
    }
}

namespace PrefSuite.Data.Formats;

/// <summary>
/// Reads TRL preference rows (prompt, chosen, rejected as strings or message lists, with score_chosen and
/// score_rejected), with PrefSuite's own columns when present. Other columns are ignored: TRL datasets carry many.
/// </summary>
public static class PairRowReader
{
    public static async Task<IReadOnlyList<PairRow>> ReadAllAsync(string path, CancellationToken cancellationToken = default)
    {
        var rows = new List<PairRow>();
        await foreach (var (line, document) in JsonLines.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            using (document)
            {
                var fields = new JsonFields(path, line, document.RootElement);
                rows.Add(new PairRow
                {
                    PromptId = fields.OptionalString("prompt_id"),
                    Prompt = fields.RequireText("prompt"),
                    Chosen = fields.RequireResponseText("chosen"),
                    Rejected = fields.RequireResponseText("rejected"),
                    ScoreChosen = fields.RequireNumber("score_chosen"),
                    ScoreRejected = fields.RequireNumber("score_rejected"),
                    Route = fields.OptionalString("route"),
                    Strategy = fields.OptionalString("strategy"),
                    Margin = fields.OptionalNumber("margin"),
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
                });
            }
        }

        return rows;
    }
}

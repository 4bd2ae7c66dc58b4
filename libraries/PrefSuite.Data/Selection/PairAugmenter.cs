using PrefSuite.Data.Formats;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Selection;

/// <summary>Applies reward-conditioned augmentation (SCIENCE.md §4) to pair rows.</summary>
public static class PairAugmenter
{
    /// <summary>
    /// Two rows per pair with distinct scores, none for a tie; returns the rows and how many ties were skipped. Each row's
    /// scores are the goal-conditioned ones (see <see cref="RewardConditionedAugmentation"/>), so score_chosen −
    /// score_rejected is positive on both rows. A score outside <paramref name="scale"/>, a chosen scored below its
    /// rejected, or a row that is already augmented is refused, naming the pair (1-based, in input order).
    /// </summary>
    public static (IReadOnlyList<PairRow> Rows, int SkippedTies) Augment(IReadOnlyList<PairRow> pairs, ScoreScale scale, bool useSystemPrompt, string source = "(pairs)")
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var rows = new List<PairRow>(pairs.Count * 2);
        var ties = 0;
        for (var index = 0; index < pairs.Count; index++)
        {
            var augmented = Augment(pairs[index], scale, useSystemPrompt, index, source);
            ties += augmented.Count == 0 ? 1 : 0;
            rows.AddRange(augmented);
        }

        return (rows, ties);
    }

    /// <summary>The augmented rows of one pair (the <paramref name="index"/>-th of <paramref name="source"/>): two when its scores differ, none for a tie.</summary>
    public static IReadOnlyList<PairRow> Augment(PairRow pair, ScoreScale scale, bool useSystemPrompt, long index = 0, string source = "(pairs)")
    {
        ArgumentNullException.ThrowIfNull(pair);
        Check(pair, index, scale, source);
        var augmented = RewardConditionedAugmentation.Augment(
            new ScoredPair(pair.Prompt, pair.Chosen, pair.Rejected, pair.ScoreChosen, pair.ScoreRejected), scale, useSystemPrompt);
        return [.. augmented.Select(a => new PairRow
        {
            PromptId = pair.PromptId,
            Prompt = a.Prompt,
            Chosen = a.Chosen,
            Rejected = a.Rejected,
            ScoreChosen = a.ScoreChosen,
            ScoreRejected = a.ScoreRejected,
            Margin = a.ScoreChosen - a.ScoreRejected,
            Route = pair.Route,
            Strategy = pair.Strategy,
            Goal = a.Goal,
            Swapped = a.Swapped,
        })];
    }

    private static void Check(PairRow pair, long index, ScoreScale scale, string source)
    {
        if (pair.Goal is not null || pair.Swapped is not null)
        {
            throw new DataFormatException(source, 0, "goal", $"pair {index + 1} is already goal-conditioned; augment the pairs before augmentation, not its output");
        }

        foreach (var (field, score) in new[] { ("score_chosen", pair.ScoreChosen), ("score_rejected", pair.ScoreRejected) })
        {
            if (!scale.Contains(score))
            {
                throw new DataFormatException(source, 0, field,
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pair {index + 1} has {score:R}, outside the declared scale {scale}; declare the scale the scores are on (e.g. --scale 0:1)"));
            }
        }

        if (pair.ScoreChosen < pair.ScoreRejected)
        {
            throw new DataFormatException(source, 0, "score_chosen",
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pair {index + 1} has score_chosen {pair.ScoreChosen:R} below score_rejected {pair.ScoreRejected:R}"));
        }
    }
}

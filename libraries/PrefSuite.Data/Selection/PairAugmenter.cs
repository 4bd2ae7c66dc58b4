using PrefSuite.Data.Formats;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Selection;

/// <summary>Applies reward-conditioned augmentation (SCIENCE.md §4) to pair rows.</summary>
public static class PairAugmenter
{
    /// <summary>Two rows per pair with distinct scores, none for a tie; returns the rows and how many ties were skipped.</summary>
    public static (IReadOnlyList<PairRow> Rows, int SkippedTies) Augment(IReadOnlyList<PairRow> pairs, ScoreScale scale, bool useSystemPrompt)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var rows = new List<PairRow>(pairs.Count * 2);
        var ties = 0;
        foreach (var pair in pairs)
        {
            var augmented = Augment(pair, scale, useSystemPrompt);
            ties += augmented.Count == 0 ? 1 : 0;
            rows.AddRange(augmented);
        }

        return (rows, ties);
    }

    /// <summary>The augmented rows of one pair: two when its scores differ, none for a tie.</summary>
    public static IReadOnlyList<PairRow> Augment(PairRow pair, ScoreScale scale, bool useSystemPrompt)
    {
        ArgumentNullException.ThrowIfNull(pair);
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
}

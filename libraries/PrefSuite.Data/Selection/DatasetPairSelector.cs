using PrefSuite.Data.Formats;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Pairs;
using PrefSuite.Science.Randomness;
using PrefSuite.Science.Routing;

namespace PrefSuite.Data.Selection;

/// <summary>
/// Builds a preference dataset from scored prompts: pairs per prompt by the chosen strategy (SCIENCE.md §2), then
/// margins, aggregation, top-K and small-margin routing over the whole dataset (§3, §6).
/// </summary>
public static class DatasetPairSelector
{
    public const string FallbackName = "fewer-than-3-responses";

    public static PairSelectionOutcome Select(IReadOnlyList<ScoredPrompt> prompts, SelectOptions options)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        var strategy = PairStrategies.Create(options.Strategy);
        var buffer = new PairPick[options.Strategy.PairsPerPrompt];
        var candidates = new List<(ScoredPrompt Prompt, PairPick Pick)>();
        var promptOf = new List<int>();
        var flat = 0;
        var noPair = 0;
        for (var p = 0; p < prompts.Count; p++)
        {
            var prompt = prompts[p];
            if (prompt.Responses.Count < 2)
            {
                throw new DataFormatException(prompt.SourceFile ?? "(input)", prompt.SourceLine, "responses",
                    $"prompt '{prompt.PromptId}' has {prompt.Responses.Count} response; a pair needs at least two");
            }

            var rewards = prompt.Responses.Select(r => r.SelectionReward).ToArray();
            if (Array.FindIndex(rewards, double.IsNaN) is var unscored and >= 0)
            {
                throw new DataFormatException(prompt.SourceFile ?? "(input)", prompt.SourceLine, $"responses[{unscored}].reward", "is missing: score the responses first");
            }

            var count = strategy.PickPairs(rewards, StableHash.Fnv1a64(prompt.PromptId), buffer);
            var isFlat = rewards.Min() == rewards.Max();
            flat += count == 0 && isFlat ? 1 : 0;
            noPair += count == 0 && !isFlat ? 1 : 0;
            for (var i = 0; i < count; i++)
            {
                candidates.Add((prompt, buffer[i]));
                promptOf.Add(p);
            }
        }

        var external = candidates.Select(c => c.Prompt.Responses[c.Pick.ChosenIndex].SelectionReward - c.Prompt.Responses[c.Pick.RejectedIndex].SelectionReward).ToArray();
        var implicitMargins = ImplicitMargins(candidates);
        var selection = DatasetSelection.Apply(external, implicitMargins ?? [], options.Dataset);

        var rows = new List<PairRow>(selection.Order.Count);
        foreach (var index in selection.Order)
        {
            var (prompt, pick) = candidates[index];
            var decision = selection.Pairs[index];
            var chosen = prompt.Responses[pick.ChosenIndex];
            var rejected = prompt.Responses[pick.RejectedIndex];
            rows.Add(new PairRow
            {
                PromptId = prompt.PromptId,
                Prompt = prompt.Prompt,
                Chosen = chosen.Text,
                Rejected = rejected.Text,
                ScoreChosen = chosen.SelectionReward,
                ScoreRejected = rejected.SelectionReward,
                Margin = external[index],
                Route = decision.Route == PairRoute.Sft ? "sft" : "dpo",
                Strategy = strategy.Name,
                ChosenPosition = strategy.Describe(pick.ChosenPosition),
                RejectedPosition = strategy.Describe(pick.RejectedPosition),
                ChosenIndex = pick.ChosenIndex,
                RejectedIndex = pick.RejectedIndex,
                Fallback = pick.Fallback == PairFallback.FewerThanThreeResponses ? FallbackName : null,
                ImplicitMargin = implicitMargins?[index],
                ProbabilityExternal = decision.ExternalProbability,
                ProbabilityImplicit = decision.ImplicitProbability,
                Probability = decision.Probability,
            });
        }

        // Every prompt without an output row, by reason: no candidate (flat, or none at the positions), only ties
        // dropped, or none of its pairs in the top K.
        var hasRow = new bool[prompts.Count];
        var hasNonTie = new bool[prompts.Count];
        var hasCandidate = new bool[prompts.Count];
        for (var c = 0; c < candidates.Count; c++)
        {
            hasCandidate[promptOf[c]] = true;
            hasNonTie[promptOf[c]] |= !selection.Pairs[c].Tie;
        }

        foreach (var index in selection.Order)
        {
            hasRow[promptOf[index]] = true;
        }

        var onlyTies = 0;
        var notKept = 0;
        for (var p = 0; p < prompts.Count; p++)
        {
            if (hasCandidate[p] && !hasRow[p])
            {
                var tiesDropped = selection.DroppedTies > 0 && !hasNonTie[p];
                onlyTies += tiesDropped ? 1 : 0;
                notKept += tiesDropped ? 0 : 1;
            }
        }

        var summary = new SelectionSummary
        {
            Prompts = prompts.Count,
            FlatPrompts = flat,
            WithoutPair = new PromptsWithoutPair(flat, noPair, onlyTies, notKept),
            PromptsWithPair = hasRow.Count(h => h),
            ZeroMarginPairs = selection.Pairs.Count(p => p.Tie),
            DroppedZeroMarginPairs = selection.DroppedTies,
            Fallbacks = candidates.Count(c => c.Pick.Fallback != PairFallback.None),
            CandidatePairs = candidates.Count,
            Kept = selection.KeptCount,
            RoutedToSft = selection.SftCount,
            UsedImplicitMargins = implicitMargins is not null,
            ExternalCap = selection.ExternalCap,
            ImplicitCap = selection.ImplicitCap,
            RouteThreshold = selection.RouteThreshold,
            MeanChosenReward = rows.Count == 0 ? double.NaN : rows.Average(r => r.ScoreChosen),
            MeanRejectedReward = rows.Count == 0 ? double.NaN : rows.Average(r => r.ScoreRejected),
        };
        return new PairSelectionOutcome(rows, summary);
    }

    /// <summary>The implicit margin r̂(y_w) − r̂(y_l) (<see cref="Margin.Implicit(double, double)"/>) for every candidate when every picked response has an implicit reward; null when none has.</summary>
    private static double[]? ImplicitMargins(List<(ScoredPrompt Prompt, PairPick Pick)> candidates)
    {
        var withImplicit = candidates.Count(c => Implicit(c, c.Pick.ChosenIndex) is not null && Implicit(c, c.Pick.RejectedIndex) is not null);
        if (withImplicit == 0)
        {
            return null;
        }

        if (withImplicit < candidates.Count)
        {
            var (prompt, pick) = candidates.First(c => Implicit(c, c.Pick.ChosenIndex) is null || Implicit(c, c.Pick.RejectedIndex) is null);
            var missing = Implicit((prompt, pick), pick.ChosenIndex) is null ? pick.ChosenIndex : pick.RejectedIndex;
            throw new DataFormatException(prompt.SourceFile ?? "(input)", prompt.SourceLine, $"responses[{missing}].implicit_reward",
                "is missing while other responses have one; give implicit rewards for all responses or for none");
        }

        return candidates.Select(c => Margin.Implicit(Implicit(c, c.Pick.ChosenIndex)!.Value, Implicit(c, c.Pick.RejectedIndex)!.Value)).ToArray();
    }

    private static double? Implicit((ScoredPrompt Prompt, PairPick Pick) candidate, int index) => candidate.Prompt.Responses[index].ImplicitReward;
}

using CsCheck;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Augmentation;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Pairs;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Data.Tests.Selection;

public class DatasetPairSelectorTests
{
    private static ScoredPrompt Prompt(string id, params (string Text, double Reward, double? Implicit)[] responses) =>
        new(id, PromptText.FromText("prompt " + id), responses.Select(r => new ScoredResponse(r.Text, r.Reward, ImplicitReward: r.Implicit)).ToArray());

    [Fact]
    public void BuildsOneRowPerPromptAndCountsTheFunnel()
    {
        ScoredPrompt[] prompts =
        [
            Prompt("a", ("best", 0.9, null), ("mid", 0.5, null), ("low", 0.2, null), ("empty", 0.0, null)),
            Prompt("b", ("x", 1.0, null), ("y", 0.4, null)),
            Prompt("c", ("x", 0.5, null), ("y", 0.5, null), ("z", 0.5, null)),
        ];
        var outcome = DatasetPairSelector.Select(prompts, new SelectOptions());

        Assert.Equal(2, outcome.Rows.Count);
        var a = outcome.Rows[0];
        Assert.Equal(("best", "empty", 0.9, 0.0, "max", "mu-2sigma", "dpo"), (a.Chosen, a.Rejected, a.ScoreChosen, a.ScoreRejected, a.ChosenPosition, a.RejectedPosition, a.Route));
        Assert.Equal(DatasetPairSelector.FallbackName, outcome.Rows[1].Fallback);
        Assert.Equal((3, 1, 1, 2, 2), (outcome.Summary.Prompts, outcome.Summary.FlatPrompts, outcome.Summary.Fallbacks, outcome.Summary.CandidatePairs, outcome.Summary.Kept));
        Assert.Equal(0.95, outcome.Summary.MeanChosenReward, 12);
    }

    [Fact]
    public void ImplicitRewardsAreAggregatedWithTheExternalMargin()
    {
        // Both pairs have external margin 1; implicit margins 2 and −1 decide which one is kept.
        ScoredPrompt[] prompts =
        [
            Prompt("a", ("w", 1, 1.0), ("l", 0, -1.0)),
            Prompt("b", ("w", 1, 0.0), ("l", 0, 1.0)),
        ];
        var outcome = DatasetPairSelector.Select(prompts, new SelectOptions
        {
            Dataset = new DatasetSelectionOptions { Keep = KeepRule.OfCount(1), ExternalCap = 2, ImplicitCap = 2 },
        });

        var row = Assert.Single(outcome.Rows);
        Assert.Equal("a", row.PromptId);
        Assert.Equal(2.0, row.ImplicitMargin);
        // External (1 + 2) / 4 = 0.75, implicit (2 + 2) / 4 = 1 → Bayes 1.
        Assert.Equal((0.75, 1.0, 1.0), (row.ProbabilityExternal, row.ProbabilityImplicit, row.Probability));
        Assert.True(outcome.Summary.UsedImplicitMargins);
    }

    [Fact]
    public void TheImplicitMarginOfAPairIsTheDocumentedFormula()
    {
        // docs/science.md: m_imp = β·{[logπθ(y_w) − logπθ(y_l)] − [logπref(y_w) − logπref(y_l)]}. By hand, with β = 0.1 and
        // summed log-probs πθ: w −10, l −14; πref: w −12, l −13: m_imp = 0.1·[(−10 + 14) − (−12 + 13)] = 0.1·3 = 0.3.
        // The implicit scorer writes r̂ = β·(logπθ − logπref): 0.2 for w, −0.1 for l (and 0 for a middle response).
        ScoredPrompt[] prompts = [Prompt("a", ("w", 3, Margin.ImplicitReward(0.1, -10, -12)), ("m", 2, 0.0), ("l", 1, Margin.ImplicitReward(0.1, -14, -13)))];
        var outcome = DatasetPairSelector.Select(prompts, new SelectOptions
        {
            Strategy = new PairStrategyOptions { Name = StrategyNames.MaxMin },
            Dataset = new DatasetSelectionOptions { ImplicitCap = 1, ExternalCap = 2 },
        });

        var row = Assert.Single(outcome.Rows);
        Assert.Equal(("w", "l"), (row.Chosen, row.Rejected));
        Assert.Equal(0.3, row.ImplicitMargin!.Value, 12);
        // Its probability: (clip(0.3, −2, cap 1) + 2) / (1 + 2) = 2.3 / 3.
        Assert.Equal(2.3 / 3, row.ProbabilityImplicit!.Value, 12);
    }

    [Fact]
    public void PartiallyMissingImplicitRewardsAreAnError()
    {
        ScoredPrompt[] prompts = [Prompt("a", ("w", 1, 1.0), ("l", 0, -1.0)), Prompt("b", ("w", 1, null), ("l", 0, 1.0))];
        var error = Assert.Throws<DataFormatException>(() => DatasetPairSelector.Select(prompts, new SelectOptions()));
        Assert.Equal("responses[0].implicit_reward", error.Field);
    }

    [Fact]
    public void APromptWithOneResponseIsAnError()
    {
        var error = Assert.Throws<DataFormatException>(() => DatasetPairSelector.Select([Prompt("a", ("only", 1, null))], new SelectOptions()));
        Assert.Contains("has 1 response", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomizedStrategiesDependOnTheSeedAndThePromptIdOnly()
    {
        var prompts = Enumerable.Range(0, 30).Select(i => Prompt($"p{i}", Enumerable.Range(0, 12).Select(j => ($"r{j}", Math.Cos(i + (j * 0.7)), (double?)null)).ToArray())).ToArray();
        var options = new SelectOptions { Strategy = new PairStrategyOptions { Name = StrategyNames.MaxMinOfKRandom, Seed = 4 } };
        var forward = DatasetPairSelector.Select(prompts, options).Rows;
        var backward = DatasetPairSelector.Select(prompts.Reverse().ToArray(), options).Rows;
        Assert.Equal(
            forward.ToDictionary(r => r.PromptId!, r => r.RejectedIndex),
            backward.ToDictionary(r => r.PromptId!, r => r.RejectedIndex));
    }
}

public class PromptsWithoutPairTests
{
    private static ScoredPrompt Prompt(string id, params double[] rewards) =>
        new(id, PromptText.FromText("prompt " + id), rewards.Select((r, i) => new ScoredResponse($"r{i}", r)).ToArray());

    [Fact]
    public void AnIntegerTieAtTheRejectedPositionIsDroppedAndCounted()
    {
        // Rewards 5, 5, 3, 1: μ = 3.5, σ = √2.75 ≈ 1.658, μ+σ ≈ 5.16. The cell (max, μ+σ) takes index 0 as chosen and,
        // excluding it, index 1 (also 5) as the sample nearest 5.16: a zero-margin pair.
        var options = new SelectOptions { Strategy = new PairStrategyOptions { Name = StrategyNames.Position, Chosen = RewardPosition.Max, Rejected = RewardPosition.Sigma(1) } };
        var outcome = DatasetPairSelector.Select([Prompt("tie", 5, 5, 3, 1), Prompt("ok", 5, 4, 3, 1)], options);

        var row = Assert.Single(outcome.Rows);
        Assert.Equal("ok", row.PromptId);
        Assert.Equal((2, 1, 1, 1), (outcome.Summary.CandidatePairs, outcome.Summary.ZeroMarginPairs, outcome.Summary.DroppedZeroMarginPairs, outcome.Summary.WithoutPair.OnlyZeroMargin));
        Assert.Equal(1, outcome.Summary.PromptsWithPair);

        // With routing the tie becomes SFT on the chosen instead.
        var routed = DatasetPairSelector.Select([Prompt("tie", 5, 5, 3, 1), Prompt("ok", 5, 4, 3, 1)],
            options with { Dataset = new DatasetSelectionOptions { RouteSmallMargins = true } });
        var tie = Assert.Single(routed.Rows, r => r.PromptId == "tie");
        Assert.Equal(("sft", 0.0), (tie.Route, tie.Margin));
        Assert.Equal(0, routed.Summary.WithoutPair.Total);
    }

    [Fact]
    public void AnEmptySweepCellIsCountedAsNoPairAtPositions()
    {
        // (μ−σ, min): μ = 2.5, σ ≈ 1.118, μ−σ ≈ 1.38 → the chosen is the 1 (index 0), which is also the minimum: no
        // other sample lies at or below it, so this cell has no pair although the rewards differ.
        var options = new SelectOptions { Strategy = new PairStrategyOptions { Name = StrategyNames.Position, Chosen = RewardPosition.Sigma(-1), Rejected = RewardPosition.Min } };
        var outcome = DatasetPairSelector.Select([Prompt("cell", 1, 2, 3, 4), Prompt("flat", 2, 2, 2)], options);
        Assert.Empty(outcome.Rows);
        Assert.Equal(new PromptsWithoutPair(AllRewardsEqual: 1, NoPairAtPositions: 1), outcome.Summary.WithoutPair);
    }

    [Fact]
    public void EveryPromptIsAccountedForAndNoDpoRowIsATie()
    {
        var sweep = RewardPosition.SweepPairs;
        var prompts = Gen.Int[1, 5].Select(i => (double)i).Array[2, 9].Array[1, 25];
        Gen.Select(prompts, Gen.Int[0, sweep.Count - 1], Gen.Bool, Gen.Double[0.05, 1.0]).Sample((rewards, cell, route, fraction) =>
        {
            var scored = rewards.Select((r, i) => Prompt($"p{i}", r)).ToArray();
            var options = new SelectOptions
            {
                Strategy = new PairStrategyOptions { Name = StrategyNames.Position, Chosen = sweep[cell].Chosen, Rejected = sweep[cell].Rejected },
                Dataset = new DatasetSelectionOptions { RouteSmallMargins = route, Keep = KeepRule.OfFraction(fraction), ExternalCap = 4 },
            };
            var outcome = DatasetPairSelector.Select(scored, options);
            Assert.Equal(outcome.Summary.Prompts, outcome.Summary.PromptsWithPair + outcome.Summary.WithoutPair.Total);
            Assert.DoesNotContain(outcome.Rows, r => r.Route == "dpo" && r.ScoreChosen == r.ScoreRejected);
        });
    }
}

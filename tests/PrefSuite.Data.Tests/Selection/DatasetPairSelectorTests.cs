using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Augmentation;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Pairs;

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

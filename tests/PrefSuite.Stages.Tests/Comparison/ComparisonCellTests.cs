using PrefSuite.Models.Evaluation;
using PrefSuite.Models.Training;
using PrefSuite.Science.Demo;
using PrefSuite.Science.Losses;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Pairs;
using PrefSuite.Stages.Comparison;

namespace PrefSuite.Stages.Tests.Comparison;

public sealed class ComparisonCellTests
{
    private static ComparisonResult Result(string variant, int n, int repeat, double heldOut, double exact = 0.3, int pairs = 10) =>
        new(variant, n, repeat, pairs, 0, 3, 3, 0.9, 0.4, 0.1, -1.5, 0.7, heldOut, exact, $"{n}-{repeat}");

    [Fact]
    public void CellsGroupRepeatsByVariantAndNInRunOrderWithTIntervals()
    {
        ComparisonResult[] results =
        [
            Result("sweet-spot", 4, 0, 0.80),
            Result("max-min", 4, 0, 0.82),
            Result("sweet-spot", 4, 1, 0.84),
            Result("max-min", 4, 1, 0.86),
            Result("sweet-spot", 8, 0, 0.90),
        ];

        var cells = ComparisonCell.Summarize(results);

        Assert.Equal(["sweet-spot/4", "max-min/4", "sweet-spot/8"], cells.Select(c => $"{c.Variant}/{c.N}"));
        var first = cells[0];
        Assert.Equal(2, first.Repeats);
        Assert.Equal(0.82, first.HeldOutReward.Mean, 12);
        // Two values 0.80 and 0.84: standard error 0.02, half-width t(0.975, 1) · 0.02.
        Assert.Equal(0.02, first.HeldOutReward.StandardError, 12);
        Assert.Equal(0.82 + (12.706204736174698 * 0.02), first.HeldOutReward.High, 9);
        Assert.Equal(1, cells[2].Repeats);
        Assert.True(double.IsNaN(cells[2].HeldOutExact.Low));
    }

    [Fact]
    public void DifferencesArePairedWithinRepeatsAgainstTheBaselineTheStartAndTheSmallestN()
    {
        // Repeat 1 is better for both variants by 0.1 (another starting policy): the paired differences do not see it.
        ComparisonResult[] results =
        [
            Result("sweet-spot", 4, 0, 0.80), Result("max-min", 4, 0, 0.81), Result("sweet-spot", 16, 0, 0.82), Result("max-min", 16, 0, 0.79),
            Result("sweet-spot", 4, 1, 0.90), Result("max-min", 4, 1, 0.93), Result("sweet-spot", 16, 1, 0.92), Result("max-min", 16, 1, 0.88),
            Result("sweet-spot", 4, 2, 0.85), Result("max-min", 4, 2, 0.87), Result("sweet-spot", 16, 2, 0.87), Result("max-min", 16, 2, 0.83),
        ];
        var start = new EvaluationResult(0.7, 0.2, 10, 40, 5);
        var outcome = new ComparisonOutcome(
            "sweet-spot",
            SortingTaskShape.Standard,
            [Variant("sweet-spot"), Variant("max-min")],
            [new(0, "a", 9, 999, start), new(1, "b", 10, 1000, start with { MeanReward = 0.8 }), new(2, "c", 11, 1001, start with { MeanReward = 0.75 })],
            results);

        var baseline = ComparisonAnalysis.AgainstBaseline(outcome);
        // N = 4: differences 0.01, 0.03, 0.02 → mean 0.02, sd 0.01, standard error 0.01/√3, t(0.975, 2) = 4.3026527.
        var atFour = baseline.Single(d => d.Variant == "max-min" && d.N == 4).Reward;
        Assert.Equal(0.02, atFour.Mean, 12);
        Assert.Equal(0.02 - (4.302652729749464 * 0.01 / Math.Sqrt(3)), atFour.Low, 9);
        Assert.False(atFour.ExcludesZero);
        // N = 16: −0.03, −0.04, −0.04 → mean −0.036667, sd 0.0057735, half-width 4.3026527 · 0.0057735/√3 = 0.014342.
        var atSixteen = baseline.Single(d => d.Variant == "max-min" && d.N == 16).Reward;
        Assert.Equal(-0.11 / 3, atSixteen.Mean, 12);
        Assert.Equal((-0.11 / 3) + 0.0143422, atSixteen.High, 6);
        Assert.True(atSixteen.ExcludesZero);
        Assert.DoesNotContain(baseline, d => d.Variant == "sweet-spot");

        // Against the start: sweet-spot at N = 4 gains 0.10, 0.10, 0.10.
        var gain = ComparisonAnalysis.AgainstStart(outcome).Single(d => d.Variant == "sweet-spot" && d.N == 4).Reward;
        Assert.Equal(0.1, gain.Mean, 12);
        Assert.Equal(0, gain.StandardError, 12);

        // max-min from N = 4 to N = 16: −0.02, −0.05, −0.04.
        var trend = ComparisonAnalysis.AgainstSmallestN(outcome).Single(d => d.Variant == "max-min" && d.N == 16);
        Assert.Equal("N=4", trend.Against);
        Assert.Equal(-0.11 / 3, trend.Reward.Mean, 12);
    }

    [Theory]
    [InlineData(300, 3, 30)] // ten batches of 32 per epoch
    [InlineData(30, 3, 3)]
    [InlineData(33, 1, 2)]
    [InlineData(0, 3, 0)]
    public void StepsAreBatchesPerEpochTimesEpochs(int pairs, int epochs, int steps)
    {
        Assert.Equal(steps, EqualCompute.Steps(pairs, 32, epochs));
    }

    [Theory]
    [InlineData(30, 300, 3)] // the baseline itself keeps its epochs
    [InlineData(30, 30, 30)] // a tenth of the pairs: ten times the epochs, the same 30 steps
    [InlineData(30, 100, 8)] // 4 steps per epoch: 7.5 epochs rounds to 8 (32 steps)
    [InlineData(30, 0, 1)]
    [InlineData(2, 300, 1)] // at least one epoch
    public void EqualComputeGivesAnEpochCountNearestTheTargetSteps(int target, int pairs, int epochs)
    {
        Assert.Equal(epochs, EqualCompute.Epochs(target, pairs, 32));
    }

    [Fact]
    public void RandomRoutingSendsExactlyTheRequestedNumberOfPairsToSftReproducibly()
    {
        var rows = Enumerable.Range(0, 30).Select(i => new Data.Formats.PairRow
        {
            PromptId = $"p{i}", Prompt = Science.Augmentation.PromptText.FromText("sort 1 2 ="), Chosen = "1 2", Rejected = "2 1", ScoreChosen = 1, ScoreRejected = 0.5,
        }).ToArray();

        var routed = StrategyComparison.RouteAtRandom(rows, 10, 7);

        Assert.Equal(10, routed.Count(r => r.Route == "sft"));
        Assert.Equal(rows.Select(r => r.PromptId), routed.Select(r => r.PromptId));
        Assert.Equal(routed.Select(r => r.Route), StrategyComparison.RouteAtRandom(rows, 10, 7).Select(r => r.Route));
        Assert.NotEqual(routed.Select(r => r.Route), StrategyComparison.RouteAtRandom(rows, 10, 8).Select(r => r.Route));
    }

    [Fact]
    public void VariantsSayWhatTheyChange()
    {
        var defaults = ComparisonVariant.Defaults(9);
        Assert.Equal("sweet-spot", defaults[0].Name);
        Assert.Equal(VariantChange.None, defaults[0].Changes);
        Assert.All(defaults, v => Assert.True(v.EqualSteps));
        Assert.Equal(VariantChange.Data, defaults.Single(v => v.Name == "top-10%-margin").Changes);
        Assert.Equal(VariantChange.Data | VariantChange.Steps, ComparisonVariant.Parse("top-10%-margin@same-epochs", 9).Changes);
        Assert.False(ComparisonVariant.Parse("top-10%-margin@same-epochs", 9).EqualSteps);
        Assert.Equal(0.02, ComparisonVariant.Parse("rdpo:0.02", 9).Beta1);
        Assert.Equal(PairOrder.AsGiven, defaults.Single(v => v.Name == "routing+curriculum").Order);
        Assert.Equal(PairOrder.Shuffled, defaults.Single(v => v.Name == "routing").Order);
        Assert.Throws<FormatException>(() => ComparisonVariant.Parse("nonsense", 9));
    }

    private static ComparisonVariant Variant(string name) =>
        new(name, new PairStrategyOptions(), new DatasetSelectionOptions(), [new LossTerm(LossKind.Sigmoid)]) { Changes = name == "sweet-spot" ? VariantChange.None : VariantChange.Data };
}

using PrefSuite.Stages.Comparison;

namespace PrefSuite.Stages.Tests.Comparison;

public sealed class ComparisonCellTests
{
    [Fact]
    public void MeanWithErrorIsTheSampleMeanAndItsStandardError()
    {
        // Sample variance of 0.8, 0.9, 1.0 is (0.01 + 0 + 0.01) / 2 = 0.01; standard error 0.1 / √3.
        var three = MeanWithError.Of([0.8, 0.9, 1.0]);
        Assert.Equal(0.9, three.Mean, 12);
        Assert.Equal(0.1 / Math.Sqrt(3), three.StandardError, 12);

        // Non-finite values (an epoch without DPO pairs has no reward accuracy) are left out, not averaged in.
        var withNaN = MeanWithError.Of([double.NaN, 0.5, 0.7]);
        Assert.Equal(0.6, withNaN.Mean, 12);
        Assert.Equal(0.1, withNaN.StandardError, 12);

        var one = MeanWithError.Of([0.42]);
        Assert.Equal(0.42, one.Mean);
        Assert.True(double.IsNaN(one.StandardError));
        Assert.True(double.IsNaN(MeanWithError.Of([double.NaN]).Mean));
    }

    [Fact]
    public void CellsGroupRepeatsByVariantAndNInRunOrder()
    {
        ComparisonResult[] results =
        [
            new("sweet-spot", 4, 0, 10, 2, 0.9, 0.5, 0.6, 0.80, 0.30),
            new("max-min", 4, 0, 10, 0, 0.9, 0.4, 0.7, 0.82, 0.32),
            new("sweet-spot", 4, 1, 10, 3, 0.8, 0.5, 0.8, 0.84, 0.34),
            new("max-min", 4, 1, 10, 0, 0.9, 0.3, 0.9, 0.86, 0.36),
            new("sweet-spot", 8, 0, 10, 1, 1.0, 0.6, 0.5, 0.90, 0.40),
        ];

        var cells = ComparisonCell.Summarize(results);

        Assert.Equal(["sweet-spot/4", "max-min/4", "sweet-spot/8"], cells.Select(c => $"{c.Variant}/{c.N}"));
        var first = cells[0];
        Assert.Equal(2, first.Repeats);
        Assert.Equal(2.5, first.RoutedToSft, 12);
        Assert.Equal(0.85, first.MeanChosenReward, 12);
        Assert.Equal(0.82, first.HeldOutReward.Mean, 12);
        // Two values 0.80 and 0.84: sample sd 0.02·√2, standard error 0.02.
        Assert.Equal(0.02, first.HeldOutReward.StandardError, 12);
        Assert.Equal(0.7, first.RewardAccuracy.Mean, 12);
        Assert.Equal(1, cells[2].Repeats);
        Assert.True(double.IsNaN(cells[2].HeldOutExact.StandardError));
    }
}

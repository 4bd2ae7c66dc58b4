using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Tests.Selection;

public class PairAugmenterTests
{
    private static PairRow Row(double chosen, double rejected) => new()
    {
        PromptId = "p",
        Prompt = PromptText.FromText("Sort 3 1 2"),
        Chosen = "1 2 3",
        Rejected = "3 1 2",
        ScoreChosen = chosen,
        ScoreRejected = rejected,
        Route = "dpo",
    };

    [Fact]
    public void BothRowsCarryThePositiveGapAsScoresAndMargin()
    {
        var (rows, ties) = PairAugmenter.Augment([Row(0.9, 0.4), Row(0.5, 0.5)], ScoreScale.Parse("0:1"), useSystemPrompt: true);
        Assert.Equal((2, 1), (rows.Count, ties));
        Assert.Equal((0.9, 0.4, false), (rows[0].ScoreChosen, rows[0].ScoreRejected, rows[0].Swapped));
        // Goal 0.4 (1 + 9·0.4 = 4.6 on 1–10): the swapped chosen hit it, the other response missed it by 0.5.
        Assert.Equal(("3 1 2", 0.4, true), (rows[1].Chosen, rows[1].ScoreChosen, rows[1].Swapped));
        Assert.Equal(-0.1, rows[1].ScoreRejected, 12);
        Assert.All(rows, r => Assert.Equal(0.5, r.Margin!.Value, 12));
        Assert.Equal(4.6, rows[1].Goal!.Value, 12);
    }

    [Fact]
    public void ScoresOutsideTheScaleAreRefusedNamingThePair()
    {
        var error = Assert.Throws<DataFormatException>(() => PairAugmenter.Augment([Row(9, 2), Row(0.87, 0.2)], ScoreScale.OneToTen, true, "pairs.jsonl"));
        Assert.Equal("score_chosen", error.Field);
        Assert.Contains("pair 2 has 0.87, outside the declared scale 1:10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AugmentedRowsAreNotAugmentedAgain()
    {
        var (rows, _) = PairAugmenter.Augment([Row(9, 2)], ScoreScale.OneToTen, true);
        Assert.Equal("goal", Assert.Throws<DataFormatException>(() => PairAugmenter.Augment(rows, ScoreScale.OneToTen, true)).Field);
    }
}

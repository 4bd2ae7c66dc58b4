using CsCheck;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Science.Tests.Augmentation;

public class RewardConditionedAugmentationTests
{
    private const string GoalEight =
        "You are an assistant that generates responses for the instruction while implicitly achieving the following " +
        "target scores (on a scale of 1-10, where 1 is lowest and 10 is highest):\nOverall score: 8.";

    [Fact]
    public void TheGoalPromptIsVerbatimAndIntegersPrintWithoutDecimals()
    {
        Assert.Equal(GoalEight, GoalPrompt.For(8.0));
        Assert.EndsWith("Overall score: 7.5.", GoalPrompt.For(7.5), StringComparison.Ordinal);
        Assert.Equal("6.33", GoalPrompt.FormatScore(19.0 / 3.0));
        Assert.Equal("10", GoalPrompt.FormatScore(9.999));
    }

    [Fact]
    public void APairBecomesTheOriginalAndTheSwappedPair()
    {
        var pair = new ScoredPair(PromptText.FromText("Sort 3 1 2"), "1 2 3", "3 1 2", 8, 3);
        var augmented = RewardConditionedAugmentation.Augment(pair, ScoreScale.OneToTen);

        Assert.Equal(2, augmented.Count);
        var (a, b) = (augmented[0], augmented[1]);
        Assert.Equal(("1 2 3", "3 1 2", 8.0, false), (a.Chosen, a.Rejected, a.Goal, a.Swapped));
        Assert.Equal(("3 1 2", "1 2 3", 3.0, true), (b.Chosen, b.Rejected, b.Goal, b.Swapped));
        // Pair (a) keeps its scores; under goal 3 the swapped pair's chosen (scored 3) hits the goal and the rejected
        // (scored 8) misses it by 5: goal-conditioned scores 3 and 3 − 5 = −2, the same gap of 5 as pair (a).
        Assert.Equal((8.0, 3.0), (a.ScoreChosen, a.ScoreRejected));
        Assert.Equal((3.0, -2.0), (b.ScoreChosen, b.ScoreRejected));
        Assert.Equal([new ChatMessage("system", GoalEight), new ChatMessage("user", "Sort 3 1 2")], a.Prompt.Messages);
        Assert.EndsWith("Overall score: 3.", b.Prompt.Messages![0].Content, StringComparison.Ordinal);
    }

    [Fact]
    public void TheNoSystemVariantPrependsTheGoalToTheFirstUserTurn()
    {
        var conversational = PromptText.FromMessages([new ChatMessage("user", "Hi"), new ChatMessage("assistant", "Hello"), new ChatMessage("user", "Sort")]);
        var conditioned = RewardConditionedAugmentation.Condition(conversational, 8, useSystemPrompt: false);
        Assert.Equal(GoalEight + "\n\nHi", conditioned.Messages![0].Content);
        Assert.Equal("Sort", conditioned.Messages[2].Content);

        var plain = RewardConditionedAugmentation.Condition(PromptText.FromText("Sort"), 8, useSystemPrompt: false);
        Assert.Equal(GoalEight + "\n\nSort", plain.Text);
    }

    [Fact]
    public void AnExistingSystemMessageKeepsItsTextAfterTheGoal()
    {
        var prompt = PromptText.FromMessages([new ChatMessage("system", "Be brief."), new ChatMessage("user", "Sort")]);
        var conditioned = RewardConditionedAugmentation.Condition(prompt, 8, useSystemPrompt: true);
        Assert.Equal(2, conditioned.Messages!.Count);
        Assert.Equal(GoalEight + "\n\nBe brief.", conditioned.Messages[0].Content);
    }

    [Fact]
    public void OtherScalesMapLinearlyOntoOneToTen()
    {
        var scale = ScoreScale.Parse("0:1");
        Assert.Equal(1.0, scale.ToOneToTen(0), 12);
        Assert.Equal(5.5, scale.ToOneToTen(0.5), 12);
        Assert.Equal(10.0, scale.ToOneToTen(1), 12);
        var pair = new ScoredPair(PromptText.FromText("x"), "a", "b", 0.5, 0.0);
        Assert.Equal([5.5, 1.0], RewardConditionedAugmentation.Augment(pair, scale).Select(p => p.Goal));
        Assert.Throws<FormatException>(() => ScoreScale.Parse("5:1"));
    }

    [Fact]
    public void AugmentationDoublesEveryPairWithDistinctScores()
    {
        Gen.Select(Gen.Int[1, 10], Gen.Int[1, 10]).Array[0, 40].Sample(scores =>
        {
            var pairs = scores.Select(s => new ScoredPair(PromptText.FromText("p"), "c", "r", Math.Max(s.Item1, s.Item2), Math.Min(s.Item1, s.Item2))).ToArray();
            var output = pairs.SelectMany(p => RewardConditionedAugmentation.Augment(p, ScoreScale.OneToTen)).ToArray();
            Assert.Equal(2 * pairs.Count(p => p.ScoreChosen != p.ScoreRejected), output.Length);
            Assert.Equal(output.Length / 2, output.Count(p => p.Swapped));
        });
    }

    [Fact]
    public void EveryAugmentedRowHasThePairsPositiveGapSoRatingGapLossesAcceptIt()
    {
        // The loss formulas of SCIENCE.md §1 read Δr = score_chosen − score_rejected: RDPO −log σ(βh − βΔr/β₁),
        // ML-RDPO −log σ(βh) + λ(βh − Δr/β₁)², ODPO −log σ(βh − α·log Δr), which needs Δr > 0.
        Gen.Select(Gen.Double[0, 1], Gen.Double[0, 1]).Sample((x, y) =>
        {
            if (x == y)
            {
                return;
            }

            var (w, l) = (Math.Max(x, y), Math.Min(x, y));
            var rows = RewardConditionedAugmentation.Augment(new ScoredPair(PromptText.FromText("p"), "c", "r", w, l), ScoreScale.Parse("0:1"));
            Assert.All(rows, r => Assert.Equal(w - l, r.ScoreChosen - r.ScoreRejected, 12));
            Assert.All(rows, r => Assert.True(double.IsFinite(Math.Log(r.ScoreChosen - r.ScoreRejected))));
            // The chosen of each row achieved the goal the row states.
            Assert.All(rows, r => Assert.Equal(r.Goal, ScoreScale.Parse("0:1").ToOneToTen(r.ScoreChosen), 12));
            // The original scores are recoverable from the swapped row: s_w = 2·score_chosen − score_rejected.
            Assert.Equal(w, (2 * rows[1].ScoreChosen) - rows[1].ScoreRejected, 12);
        });
    }

    [Fact]
    public void AScoreOutsideTheDeclaredScaleIsRefusedInsteadOfStatingAGoalBelowOne()
    {
        // A 0–1 reward read on the default 1–10 scale would have written "Overall score: 0.87".
        var pair = new ScoredPair(PromptText.FromText("p"), "c", "r", 0.87, 0.2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RewardConditionedAugmentation.Augment(pair, ScoreScale.OneToTen));
        Assert.Contains("outside the declared scale 1:10", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreScale.Parse("0:1").ToOneToTen(1.0000001));
        Assert.Equal(2, RewardConditionedAugmentation.Augment(pair, ScoreScale.Parse("0:1")).Count);
    }

    [Fact]
    public void AChosenScoredBelowItsRejectedIsRefused() =>
        Assert.Throws<ArgumentException>(() => RewardConditionedAugmentation.Augment(new ScoredPair(PromptText.FromText("p"), "c", "r", 3, 8), ScoreScale.OneToTen));
}

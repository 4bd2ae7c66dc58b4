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
        Assert.Equal((3.0, 8.0), (b.ScoreChosen, b.ScoreRejected));
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
            var pairs = scores.Select(s => new ScoredPair(PromptText.FromText("p"), "c", "r", s.Item1, s.Item2)).ToArray();
            var output = pairs.SelectMany(p => RewardConditionedAugmentation.Augment(p, ScoreScale.OneToTen)).ToArray();
            Assert.Equal(2 * pairs.Count(p => p.ScoreChosen != p.ScoreRejected), output.Length);
            Assert.Equal(output.Length / 2, output.Count(p => p.Swapped));
        });
    }
}

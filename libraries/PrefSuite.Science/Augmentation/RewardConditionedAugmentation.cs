namespace PrefSuite.Science.Augmentation;

/// <summary>A preference pair with its scores, as augmentation reads and writes it.</summary>
public sealed record ScoredPair(PromptText Prompt, string Chosen, string Rejected, double ScoreChosen, double ScoreRejected);

/// <summary>One augmented pair: the conditioned prompt, the goal it states, and whether chosen and rejected were swapped.</summary>
public sealed record AugmentedPair(PromptText Prompt, string Chosen, string Rejected, double ScoreChosen, double ScoreRejected, double Goal, bool Swapped);

/// <summary>
/// Reward-conditioned augmentation (Zhang et al., ICML 2025; SCIENCE.md §4). From (y_w, y_l) with scores (s_w, s_l):
/// (a) goal g = s_w, pair unchanged; (b) goal g = s_l, chosen and rejected swapped. Goals are on 1–10.
/// </summary>
public static class RewardConditionedAugmentation
{
    /// <summary>
    /// The two augmented pairs of <paramref name="pair"/>, or none when its scores are equal: with one goal for both
    /// pairs they would state opposite preferences, which is noise, not signal.
    /// </summary>
    public static IReadOnlyList<AugmentedPair> Augment(ScoredPair pair, ScoreScale scale, bool useSystemPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(pair);
        if (pair.ScoreChosen == pair.ScoreRejected)
        {
            return [];
        }

        var goalChosen = scale.ToOneToTen(pair.ScoreChosen);
        var goalRejected = scale.ToOneToTen(pair.ScoreRejected);
        return
        [
            new AugmentedPair(Condition(pair.Prompt, goalChosen, useSystemPrompt), pair.Chosen, pair.Rejected, pair.ScoreChosen, pair.ScoreRejected, goalChosen, Swapped: false),
            new AugmentedPair(Condition(pair.Prompt, goalRejected, useSystemPrompt), pair.Rejected, pair.Chosen, pair.ScoreRejected, pair.ScoreChosen, goalRejected, Swapped: true),
        ];
    }

    /// <summary>
    /// States the goal in the prompt. With a system prompt: a conversation gets a leading system message (an existing
    /// system message keeps its text after the goal, separated by a blank line); a plain string becomes a conversation
    /// of system + user, because TRL rows cannot mix roles into a string. Without: the goal text and "\n\n" are
    /// prepended to the first user turn (or to the plain string).
    /// </summary>
    public static PromptText Condition(PromptText prompt, double goal, bool useSystemPrompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var goalText = GoalPrompt.For(goal);
        if (!useSystemPrompt)
        {
            if (prompt.Text is { } text)
            {
                return PromptText.FromText(goalText + "\n\n" + text);
            }

            var messages = prompt.Messages!.ToList();
            var firstUser = messages.FindIndex(m => m.Role == "user");
            if (firstUser < 0)
            {
                throw new ArgumentException("The conversational prompt has no user turn to prepend the goal to.", nameof(prompt));
            }

            messages[firstUser] = messages[firstUser] with { Content = goalText + "\n\n" + messages[firstUser].Content };
            return PromptText.FromMessages(messages);
        }

        if (prompt.Text is { } plain)
        {
            return PromptText.FromMessages([new ChatMessage("system", goalText), new ChatMessage("user", plain)]);
        }

        var turns = prompt.Messages!.ToList();
        if (turns[0].Role == "system")
        {
            turns[0] = turns[0] with { Content = goalText + "\n\n" + turns[0].Content };
        }
        else
        {
            turns.Insert(0, new ChatMessage("system", goalText));
        }

        return PromptText.FromMessages(turns);
    }
}

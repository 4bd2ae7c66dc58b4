namespace PrefSuite.Science.Augmentation;

/// <summary>A preference pair with its scores, as augmentation reads and writes it.</summary>
public sealed record ScoredPair(PromptText Prompt, string Chosen, string Rejected, double ScoreChosen, double ScoreRejected);

/// <summary>
/// One augmented pair: the conditioned prompt, the goal it states (on 1–10), whether chosen and rejected were swapped,
/// and the responses' scores under that goal (<see cref="RewardConditionedAugmentation.GoalConditionedScore"/>, on the
/// input's scale), so that ScoreChosen − ScoreRejected is the rating gap the pair means.
/// </summary>
public sealed record AugmentedPair(PromptText Prompt, string Chosen, string Rejected, double ScoreChosen, double ScoreRejected, double Goal, bool Swapped);

/// <summary>
/// Reward-conditioned augmentation (Zhang et al., ICML 2025; SCIENCE.md §4). From (y_w, y_l) with scores (s_w, s_l):
/// (a) goal g = s_w, pair unchanged; (b) goal g = s_l, chosen and rejected swapped. Goals are on 1–10.
/// </summary>
/// <remarks>
/// Under goal g the preferred response is the one that achieves g: in (b) y_l is chosen because it scored s_l, not
/// because it is better. Its preference is about distance to the goal, so an augmented pair's scores are the
/// goal-conditioned scores R(y | g) = g − |s(y) − g| (on the input's scale): the chosen, which hit its goal, keeps its
/// score, and the rejected scores its miss below the goal. Pair (a) keeps (s_w, s_l) exactly; pair (b) carries
/// (s_l, 2·s_l − s_w). Both have gap s_w − s_l &gt; 0, so rating-gap losses see what they mean: RDPO's and ML-RDPO's
/// Δr is the original gap on both rows (not −Δr on the swapped one, which would ask the policy to prefer y_l by a
/// negative margin), and ODPO's log(Δr) is defined. The raw score of the swapped row's rejected is recoverable:
/// s_w = 2·score_chosen − score_rejected.
/// </remarks>
public static class RewardConditionedAugmentation
{
    /// <summary>R(y | g) = g − |s − g|: a response that achieves the goal scores the goal; one that misses it by d, on either side, scores d below it.</summary>
    public static double GoalConditionedScore(double score, double goal) => goal - Math.Abs(score - goal);

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

        if (pair.ScoreChosen < pair.ScoreRejected)
        {
            throw new ArgumentException($"The chosen scored {pair.ScoreChosen} and the rejected {pair.ScoreRejected}; a pair's chosen must score higher.", nameof(pair));
        }

        var goalChosen = scale.ToOneToTen(pair.ScoreChosen);
        var goalRejected = scale.ToOneToTen(pair.ScoreRejected);
        var (w, l) = (pair.ScoreChosen, pair.ScoreRejected);
        return
        [
            new AugmentedPair(Condition(pair.Prompt, goalChosen, useSystemPrompt), pair.Chosen, pair.Rejected, GoalConditionedScore(w, w), GoalConditionedScore(l, w), goalChosen, Swapped: false),
            new AugmentedPair(Condition(pair.Prompt, goalRejected, useSystemPrompt), pair.Rejected, pair.Chosen, GoalConditionedScore(l, l), GoalConditionedScore(w, l), goalRejected, Swapped: true),
        ];
    }

    /// <summary>
    /// The prompt a reward-conditioned policy samples from at inference: conditioned on <see cref="GoalPrompt.BestScore"/>
    /// exactly as <see cref="Augment"/> conditions a training pair whose chosen scored the scale's maximum.
    /// </summary>
    public static PromptText ConditionOnBestScore(PromptText prompt, bool useSystemPrompt) => Condition(prompt, GoalPrompt.BestScore, useSystemPrompt);

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

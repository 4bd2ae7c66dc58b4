using System.Globalization;

namespace PrefSuite.Science.Augmentation;

/// <summary>The goal-conditioning text of reward-conditioned training (Zhang et al., SCIENCE.md §4), verbatim.</summary>
public static class GoalPrompt
{
    private const string Preamble =
        "You are an assistant that generates responses for the instruction while implicitly achieving the " +
        "following target scores (on a scale of 1-10, where 1 is lowest and 10 is highest):\nOverall score: ";

    /// <summary>
    /// The best goal: the top of the 1–10 scale the text states (a score scale's maximum maps to it). At inference a
    /// reward-conditioned policy is asked for it (Zhang et al.).
    /// </summary>
    public const double BestScore = 10;

    /// <summary>The system prompt for goal score <paramref name="goal"/>.</summary>
    public static string For(double goal) => Preamble + FormatScore(goal) + ".";

    /// <summary>
    /// Integers print without ".0" (8, not 8.0); other values are rounded to two decimals and printed in their
    /// shortest form (7.5, 6.33). The rounding is PrefSuite's choice: the paper's scores are integers or halves.
    /// </summary>
    public static string FormatScore(double goal)
    {
        if (!double.IsFinite(goal))
        {
            throw new ArgumentException($"The goal score {goal} is not a finite number.", nameof(goal));
        }

        var rounded = Math.Round(goal, 2, MidpointRounding.AwayFromZero);
        return rounded == Math.Floor(rounded)
            ? ((long)rounded).ToString(CultureInfo.InvariantCulture)
            : rounded.ToString("0.##", CultureInfo.InvariantCulture);
    }
}

using PrefSuite.Science.Augmentation;
using PrefSuite.Science.Routing;

namespace PrefSuite.Models.Training;

/// <summary>One training pair: the prompt (text or messages; already goal-conditioned when augmented), responses, scores and route.</summary>
public sealed record TrainingPair(PromptText Prompt, string Chosen, string Rejected, double ScoreChosen, double ScoreRejected, PairRoute Route = PairRoute.Dpo)
{
    /// <summary>A pair with a plain-text prompt.</summary>
    public TrainingPair(string prompt, string chosen, string rejected, double scoreChosen, double scoreRejected, PairRoute route = PairRoute.Dpo)
        : this(PromptText.FromText(prompt), chosen, rejected, scoreChosen, scoreRejected, route)
    {
    }

    /// <summary>A stable text identity of a prompt for content hashes: its text, or its messages with their roles.</summary>
    public static string PromptKey(PromptText prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return prompt.Text is { } text ? "T\u0003" + text : "M\u0003" + string.Join("\u0004", prompt.Messages!.Select(m => m.Role + "\u0003" + m.Content));
    }
}

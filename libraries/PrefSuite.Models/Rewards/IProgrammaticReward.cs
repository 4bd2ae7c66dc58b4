namespace PrefSuite.Models.Rewards;

/// <summary>A reward computed by code from the prompt and response (a task's ground truth, a checker, a rule).</summary>
public interface IProgrammaticReward
{
    /// <summary>The name used in configuration and recorded as the scorer id.</summary>
    string Name { get; }

    /// <param name="ended">Whether the response ended by itself (EOS) rather than being cut off.</param>
    double Score(string prompt, string response, bool ended = true);
}

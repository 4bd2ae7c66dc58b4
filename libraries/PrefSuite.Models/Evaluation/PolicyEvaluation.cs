using PrefSuite.Models.Policy;
using PrefSuite.Models.Rewards;

namespace PrefSuite.Models.Evaluation;

/// <summary>How a policy's sampled responses score on held-out prompts.</summary>
/// <param name="MeanReward">Mean ground-truth reward of the sampled responses.</param>
/// <param name="SuccessRate">Share of responses with the maximum reward (1): exact matches on the demo task.</param>
public sealed record EvaluationResult(double MeanReward, double SuccessRate, int Prompts, int Samples, double MeanTokens);

/// <summary>Samples on held-out prompts (temperature 1 by default: after SFT, greedy decoding is already perfect on the demo) and scores with a programmatic reward.</summary>
public static class PolicyEvaluation
{
    public static EvaluationResult Evaluate(
        PolicyModel policy,
        IReadOnlyList<(string Id, string Text)> prompts,
        IProgrammaticReward reward,
        int samplesPerPrompt,
        SamplingOptions sampling,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(reward);
        var samples = Sampler.Sample(policy, prompts.Select(p => p.Text).ToArray(), prompts.Select(p => p.Id).ToArray(), samplesPerPrompt, sampling, cancellationToken: cancellationToken);
        var scores = samples.Select(s => reward.Score(prompts[s.PromptIndex].Text, s.Text, s.FinishReason == "eos")).ToArray();
        return new EvaluationResult(scores.Average(), scores.Count(s => s >= 1 - 1e-12) / (double)scores.Length, prompts.Count, samples.Count, samples.Average(s => s.TokenIds.Length));
    }
}

namespace PrefSuite.Models.Policy;

/// <summary>One sampled response with the policy's per-token log-probabilities (temperature 1, unfiltered).</summary>
/// <param name="FinishReason">"eos", "stop" (a stop sequence) or "length" (max new tokens).</param>
public sealed record SampledResponse(int PromptIndex, int SampleIndex, string Text, int[] TokenIds, double[] TokenLogProbs, string FinishReason)
{
    /// <summary>logπ(y|x): the sum of the token log-probabilities (EOS included when generated).</summary>
    public double LogProb => TokenLogProbs.Sum();
}

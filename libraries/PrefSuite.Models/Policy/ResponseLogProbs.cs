using PrefSuite.Science.Augmentation;
using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>logπ(y|x): the summed log-probabilities of the response tokens (EOS included, prompt excluded).</summary>
public static class ResponseLogProbs
{
    /// <summary>[B] summed response log-probs, differentiable when gradients are on.</summary>
    public static Tensor Sum(CausalLanguageModel network, SequenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        var tokenLogProbs = TokenLogProbs(network, batch);
        return (tokenLogProbs * batch.ResponseMask).sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>[B, T] log-probability of each target token.</summary>
    public static Tensor TokenLogProbs(CausalLanguageModel network, SequenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        var logits = network.Forward(batch.Inputs);
        var logProbs = nn.functional.log_softmax(logits, -1);
        return logProbs.gather(-1, batch.Targets.unsqueeze(-1)).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Summed response log-probs of text prompts without gradients, in batches; one value per (prompt, response).</summary>
    public static double[] Compute(PolicyModel policy, IReadOnlyList<string> prompts, IReadOnlyList<string> responses, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        return Compute(policy, prompts.Select(PromptText.FromText).ToArray(), responses, batchSize);
    }

    /// <summary>Summed response log-probs without gradients, in batches; one value per (prompt, response).</summary>
    public static double[] Compute(PolicyModel policy, IReadOnlyList<PromptText> prompts, IReadOnlyList<string> responses, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(responses);
        if (prompts.Count != responses.Count)
        {
            throw new ArgumentException($"{prompts.Count} prompts but {responses.Count} responses.", nameof(responses));
        }

        var result = new double[prompts.Count];
        policy.Network.eval();
        using var noGrad = no_grad();
        for (var start = 0; start < prompts.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, prompts.Count - start);
            using var scope = NewDisposeScope();
            var encodedPrompts = Enumerable.Range(start, count).Select(i => policy.EncodePrompt(prompts[i])).ToArray();
            var encodedResponses = Enumerable.Range(start, count).Select(i => policy.EncodeResponse(prompts[i], responses[i])).ToArray();
            using var batch = SequenceBatch.Create(encodedPrompts, encodedResponses, policy.Tokens.PadId, policy.Context, policy.Device);
            var sums = Sum(policy.Network, batch).to(CPU).to_type(ScalarType.Float64).data<double>().ToArray();
            sums.CopyTo(result, start);
        }

        return result;
    }
}

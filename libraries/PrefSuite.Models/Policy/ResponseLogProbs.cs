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
        var budget = LogitBudget(policy.Device);
        for (var start = 0; start < prompts.Count;)
        {
            // Up to batchSize rows, fewer when their [rows, length, vocabulary] logits would pass the budget: a 150k
            // vocabulary makes the logits, not the model, what fills memory.
            var encodedPrompts = new List<int[]>();
            var encodedResponses = new List<int[]>();
            var longest = 0;
            while (start + encodedPrompts.Count < prompts.Count && encodedPrompts.Count < batchSize)
            {
                var i = start + encodedPrompts.Count;
                var prompt = policy.EncodePrompt(prompts[i]);
                var response = policy.EncodeResponse(prompts[i], responses[i]);
                var length = Math.Max(longest, prompt.Length + response.Length);
                if (encodedPrompts.Count > 0 && (encodedPrompts.Count + 1L) * length * policy.Network.VocabularySize > budget)
                {
                    break;
                }

                longest = length;
                encodedPrompts.Add(prompt);
                encodedResponses.Add(response);
            }

            using var scope = NewDisposeScope();
            using var batch = SequenceBatch.Create(encodedPrompts, encodedResponses, policy.Tokens.PadId, policy.Context, policy.Device);
            var sums = Sum(policy.Network, batch).to(CPU).to_type(ScalarType.Float64).data<double>().ToArray();
            sums.CopyTo(result, start);
            start += encodedPrompts.Count;
        }

        return result;
    }

    /// <summary>Logit elements one no-grad batch may hold: 2^28 (1 GiB of float32) on the CPU, 2^30 on an accelerator.</summary>
    internal static long LogitBudget(Device device) => device.type == TorchSharp.DeviceType.CPU ? 1L << 28 : 1L << 30;
}

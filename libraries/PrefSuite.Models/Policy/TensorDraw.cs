using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>
/// The token draw of <see cref="Sampler.Draw"/> for a whole batch, done where the logits live: the same rule (greedy at
/// temperature 0; otherwise top-k, then top-p over the candidates sorted by logit with ties by id, then inverse CDF with
/// the row's own uniform), in float64, so only each row's token and log-probability leave the device. On a GPU this
/// replaces copying a [rows, vocabulary] block to the host every step and drawing there, which for a 150k vocabulary
/// costs more than the model's forward pass.
/// </summary>
internal static class TensorDraw
{
    /// <param name="logits">[rows, vocabulary] float32 policy logits of the next token.</param>
    /// <param name="uniforms">One uniform in [0, 1) per row (unused at temperature 0).</param>
    /// <param name="never">Token ids that are never drawn (their log-probability still counts in the normaliser).</param>
    public static (long[] Tokens, double[] LogProbs) Draw(Tensor logits, double[] uniforms, SamplingOptions options, int[] never)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(uniforms);
        ArgumentNullException.ThrowIfNull(options);
        using var scope = NewDisposeScope();
        var device = logits.device;
        var vocabulary = logits.shape[^1];
        var policy = logits.to_type(ScalarType.Float64);
        var adjusted = never.Length == 0 ? policy : policy.index_fill(-1, tensor(never.Select(i => (long)i).ToArray(), device: device), double.NegativeInfinity);
        Tensor token;
        if (options.Temperature == 0)
        {
            // argmax returns the first maximum, as the scalar loop does.
            token = adjusted.argmax(-1, keepdim: true);
        }
        else
        {
            var max = adjusted.amax([-1], keepdim: true);
            var u = tensor(uniforms, [uniforms.Length, 1], device: device);
            if (options.TopK == 0 && options.TopP >= 1)
            {
                // Plain temperature sampling: inverse CDF in token order.
                var cumulative = ((adjusted - max) / options.Temperature).exp().cumsum(-1);
                var index = searchsorted(cumulative, u * cumulative[TensorIndex.Colon, TensorIndex.Slice(-1)], right: true);
                token = index.clamp_max(vocabulary - 1);
            }
            else
            {
                var (sorted, order) = adjusted.sort(-1, descending: true, stable: true);
                var weights = ((sorted - max) / options.Temperature).exp();
                var rank = arange(vocabulary, device: device).unsqueeze(0);
                var keep = full([uniforms.Length, 1], options.TopK > 0 ? Math.Min(options.TopK, vocabulary) : vocabulary, ScalarType.Int64, device: device);
                weights = weights * (rank < keep).to_type(ScalarType.Float64);
                if (options.TopP < 1)
                {
                    // The smallest prefix whose share of the top-k mass reaches top-p.
                    var share = (weights / weights.sum(-1, keepdim: true)).cumsum(-1);
                    var reaching = (share < options.TopP).sum(-1, keepdim: true, type: ScalarType.Int64) + 1;
                    keep = minimum(keep, reaching);
                    weights = weights * (rank < keep).to_type(ScalarType.Float64);
                }

                var cumulative = weights.cumsum(-1);
                var index = searchsorted(cumulative, u * cumulative[TensorIndex.Colon, TensorIndex.Slice(-1)], right: true);
                token = order.gather(-1, minimum(index, keep - 1));
            }
        }

        var logProb = policy.gather(-1, token) - policy.logsumexp(-1, keepdim: true);
        var tokens = token.squeeze(-1).cpu().data<long>().ToArray();
        var logProbs = logProb.squeeze(-1).cpu().data<double>().ToArray();
        return (tokens, logProbs);
    }
}

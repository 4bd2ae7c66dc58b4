using PrefSuite.Models.Policy;
using static TorchSharp.torch;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// Grouped-query self-attention as transformers' Llama/Qwen2/Qwen3/Mistral attention: q/k/v/o projections, Qwen3's
/// per-head RMSNorm of queries and keys, rotary embeddings (rotate-half layout), key/value heads repeated to the query
/// heads, scaled dot-product attention.
/// </summary>
public sealed class DecoderAttention : nn.Module
{
    private readonly Projection q_proj;
    private readonly Projection k_proj;
    private readonly Projection v_proj;
    private readonly Projection o_proj;
    private readonly RmsNorm? q_norm;
    private readonly RmsNorm? k_norm;
    private readonly int heads;
    private readonly int keyValueHeads;
    private readonly int headDim;

    public DecoderAttention(DecoderConfig config, ScalarType dtype, Device device)
        : base(nameof(DecoderAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        heads = config.Heads;
        keyValueHeads = config.KeyValueHeads;
        headDim = config.HeadDim;
        q_proj = new Projection(config.HiddenSize, heads * headDim, config.QkvBias, dtype, device);
        k_proj = new Projection(config.HiddenSize, keyValueHeads * headDim, config.QkvBias, dtype, device);
        v_proj = new Projection(config.HiddenSize, keyValueHeads * headDim, config.QkvBias, dtype, device);
        o_proj = new Projection(heads * headDim, config.HiddenSize, config.OutputBias, dtype, device);
        register_module("q_proj", q_proj);
        register_module("k_proj", k_proj);
        register_module("v_proj", v_proj);
        register_module("o_proj", o_proj);
        if (config.QkNorm)
        {
            q_norm = new RmsNorm(headDim, config.RmsNormEps, dtype, device);
            k_norm = new RmsNorm(headDim, config.RmsNormEps, dtype, device);
            register_module("q_norm", q_norm);
            register_module("k_norm", k_norm);
        }
    }

    /// <param name="x">[B, T, hidden].</param>
    /// <param name="cos">[B, T, head_dim] rotary cosines (attention factor applied).</param>
    /// <param name="sin">[B, T, head_dim] rotary sines.</param>
    /// <param name="mask">[B or 1, 1, T, T_total] boolean, or null for plain causal attention without a cache.</param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, LayerCache? cache)
    {
        using var scope = NewDisposeScope();
        var batch = x.shape[0];
        var time = x.shape[1];
        var q = q_proj.forward(x).view(batch, time, heads, headDim);
        var k = k_proj.forward(x).view(batch, time, keyValueHeads, headDim);
        if (q_norm is not null && k_norm is not null)
        {
            q = q_norm.forward(q);
            k = k_norm.forward(k);
        }

        q = q.transpose(1, 2);
        k = k.transpose(1, 2);
        var v = v_proj.forward(x).view(batch, time, keyValueHeads, headDim).transpose(1, 2);
        var c = cos.unsqueeze(1);
        var s = sin.unsqueeze(1);
        q = (q * c) + (RotateHalf(q) * s);
        k = (k * c) + (RotateHalf(k) * s);
        var past = cache?.Length ?? 0;
        if (cache is not null)
        {
            (k, v) = cache.Append(k, v);
        }

        if (heads != keyValueHeads)
        {
            k = k.repeat_interleave(heads / keyValueHeads, 1);
            v = v.repeat_interleave(heads / keyValueHeads, 1);
        }

        var causal = mask is null && past == 0 && time > 1;
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, causal);
        var merged = attended.transpose(1, 2).contiguous().view(batch, time, heads * headDim);
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }

    internal IEnumerable<(string Name, Projection Layer)> Projections()
    {
        yield return ("q_proj", q_proj);
        yield return ("k_proj", k_proj);
        yield return ("v_proj", v_proj);
        yield return ("o_proj", o_proj);
    }

    /// <summary>(−x₂, x₁) for the two halves of the last dimension.</summary>
    private static Tensor RotateHalf(Tensor x)
    {
        var half = x.shape[^1] / 2;
        var first = x.narrow(-1, 0, half);
        var second = x.narrow(-1, half, half);
        return cat([-second, first], -1);
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>Multi-head causal self-attention with an optional key/value cache for incremental decoding.</summary>
public sealed class CausalSelfAttention : nn.Module
{
    private readonly Linear qkv;
    private readonly Linear projection;
    private readonly int heads;
    private readonly int headWidth;

    public CausalSelfAttention(int width, int heads)
        : base(nameof(CausalSelfAttention))
    {
        this.heads = heads;
        headWidth = width / heads;
        qkv = nn.Linear(width, 3 * width);
        projection = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <param name="x">[B, T, C] inputs.</param>
    /// <param name="mask">[B, 1, T, T_total] boolean (true = may attend), or null for plain causal attention without cache.</param>
    /// <param name="cache">This layer's cache, appended to; null when not decoding incrementally.</param>
    public Tensor Forward(Tensor x, Tensor? mask, LayerCache? cache)
    {
        var batch = x.shape[0];
        var time = x.shape[1];
        var width = x.shape[2];
        using var split = qkv.forward(x).view(batch, time, 3, heads, headWidth).permute(2, 0, 3, 1, 4);
        using var q = split[0];
        var k = split[1];
        var v = split[2];
        var past = cache?.Length ?? 0;
        if (cache is not null)
        {
            (k, v) = cache.Append(k, v);
        }

        // Without an explicit mask: plain causal attention when nothing is cached; one new query sees everything; several
        // new queries after cached ones need a causal mask aligned to the end (SDPA's is_causal aligns it to the start).
        using var endAligned = mask is null && past > 0 && time > 1 ? ones(time, past + time, ScalarType.Bool, x.device).tril(past) : null;
        using var attended = nn.functional.scaled_dot_product_attention(q, k, v, mask ?? endAligned, 0.0, mask is null && past == 0);
        using var merged = attended.transpose(1, 2).contiguous().view(batch, time, width);
        return projection.forward(merged);
    }
}

using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>
/// A decoder that maps tokens to next-token logits, with an optional key/value cache for incremental decoding: the
/// built-in GPT and the Hugging Face decoder family share this shape, so sampling, log-probs and training serve both.
/// </summary>
public abstract class CausalLanguageModel : nn.Module
{
    protected CausalLanguageModel(string name)
        : base(name)
    {
    }

    /// <summary>The longest sequence (prompt + response) the model reads.</summary>
    public abstract int Context { get; }

    /// <summary>Logits per position (the output embedding's rows).</summary>
    public abstract long VocabularySize { get; }

    /// <summary>Logits [B, T, V] for tokens [B, T] at positions [B, T] (or past..past+T−1 when null).</summary>
    /// <param name="mask">[B, 1, T, T_total] boolean (true = may attend), or null for causal attention over the given tokens.</param>
    /// <param name="cache">Per-layer caches for incremental decoding, or null.</param>
    public abstract Tensor Forward(Tensor tokens, Tensor? positions = null, Tensor? mask = null, IReadOnlyList<LayerCache>? cache = null);

    /// <summary>Fresh caches for decoding a batch of up to <paramref name="capacity"/> positions.</summary>
    public abstract IReadOnlyList<LayerCache> NewCache(long batch, long capacity, Device device);
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>A small GPT: token and learned position embeddings, pre-norm blocks, final norm, output tied to the token embedding.</summary>
public sealed class GptModel : nn.Module
{
    private readonly Embedding tokenEmbedding;
    private readonly Embedding positionEmbedding;
    private readonly ModuleList<TransformerBlock> blocks;
    private readonly LayerNorm finalNorm;

    public GptModel(PolicyConfig config, int vocabularySize)
        : base(nameof(GptModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        tokenEmbedding = nn.Embedding(vocabularySize, config.Width);
        positionEmbedding = nn.Embedding(config.Context, config.Width);
        blocks = new ModuleList<TransformerBlock>();
        for (var i = 0; i < config.Layers; i++)
        {
            blocks.Add(new TransformerBlock(config.Width, config.Heads));
        }

        finalNorm = nn.LayerNorm(config.Width);
        RegisterComponents();
        Initialize();
    }

    public PolicyConfig Config { get; }

    /// <summary>Logits [B, T, V] for tokens [B, T] at positions [B, T] (or 0..T−1 when null).</summary>
    /// <param name="mask">[B, 1, T, T_total] boolean attention mask, or null for causal attention over the given tokens.</param>
    /// <param name="cache">Per-layer caches for incremental decoding, or null.</param>
    public Tensor Forward(Tensor tokens, Tensor? positions = null, Tensor? mask = null, IReadOnlyList<LayerCache>? cache = null)
    {
        using var scope = NewDisposeScope();
        var time = tokens.shape[1];
        positions ??= arange(time, dtype: ScalarType.Int64, device: tokens.device).unsqueeze(0);
        var x = tokenEmbedding.forward(tokens) + positionEmbedding.forward(positions);
        for (var i = 0; i < blocks.Count; i++)
        {
            x = blocks[i].Forward(x, mask, cache?[i]);
        }

        x = finalNorm.forward(x);
        return nn.functional.linear(x, tokenEmbedding.weight!).MoveToOuterDisposeScope();
    }

    /// <summary>Fresh caches for decoding a batch of up to <paramref name="capacity"/> positions.</summary>
    public IReadOnlyList<LayerCache> NewCache(long batch, long capacity, Device device) =>
        Enumerable.Range(0, Config.Layers).Select(_ => new LayerCache(batch, Config.Heads, capacity, Config.Width / Config.Heads, device)).ToArray();

    /// <summary>GPT-2's initialisation: N(0, 0.02) for linear and embedding weights, zero biases.</summary>
    private void Initialize()
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
            else if (parameter.dim() >= 2)
            {
                nn.init.normal_(parameter, 0, 0.02);
            }
        }
    }
}

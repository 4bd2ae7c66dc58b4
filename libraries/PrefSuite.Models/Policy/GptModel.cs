using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>A small GPT: token and learned position embeddings, pre-norm blocks, final norm, output tied to the token embedding.</summary>
public sealed class GptModel : CausalLanguageModel
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
        VocabularySize = vocabularySize;
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

    public override int Context => Config.Context;

    public override long VocabularySize { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor tokens, Tensor? positions = null, Tensor? mask = null, IReadOnlyList<LayerCache>? cache = null)
    {
        using var scope = NewDisposeScope();
        var time = tokens.shape[1];
        var past = cache is { Count: > 0 } ? cache[0].Length : 0;
        positions ??= arange(past, past + time, dtype: ScalarType.Int64, device: tokens.device).unsqueeze(0);
        var x = tokenEmbedding.forward(tokens) + positionEmbedding.forward(positions);
        for (var i = 0; i < blocks.Count; i++)
        {
            x = blocks[i].Forward(x, mask, cache?[i]);
        }

        x = finalNorm.forward(x);
        return nn.functional.linear(x, tokenEmbedding.weight!).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<LayerCache> NewCache(long batch, long capacity, Device device) =>
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

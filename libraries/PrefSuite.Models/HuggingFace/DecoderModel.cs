using PrefSuite.Models.Policy;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// The Llama / Qwen2 / Mistral decoder in TorchSharp, following transformers' modeling code: parameter names are the
/// checkpoint's (<c>model.embed_tokens.weight</c>, <c>model.layers.{i}.self_attn.q_proj.weight</c>, …,
/// <c>lm_head.weight</c> or <c>score.weight</c>), so weights load by name. With a language-model head (or the tied
/// embedding) <see cref="Forward"/> gives next-token logits; with a sequence-classification head
/// <see cref="Scores"/> gives the head's values at each row's last non-padding token.
/// </summary>
public sealed class DecoderModel : CausalLanguageModel
{
    private readonly DecoderBody model;
    private readonly Projection? lm_head;
    private readonly Projection? score;
    private readonly Tensor inverseFrequencies;
    private readonly double attentionFactor;

    public DecoderModel(DecoderConfig config, ScalarType dtype, Device device)
        : base(nameof(DecoderModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        DType = dtype;
        model = new DecoderBody(config, dtype, device);
        register_module("model", model);
        if (config.Head == DecoderHead.SequenceClassification)
        {
            score = new Projection(config.HiddenSize, config.Labels.Count, false, dtype, device);
            register_module("score", score);
        }
        else if (!config.TieWordEmbeddings)
        {
            lm_head = new Projection(config.HiddenSize, config.VocabSize, false, dtype, device);
            register_module("lm_head", lm_head);
        }

        var (frequencies, factor) = RotaryFrequencies.Compute(config.Rope, config.HeadDim, config.MaxPositions);
        inverseFrequencies = tensor(frequencies.Select(f => (float)f).ToArray(), device: device);
        attentionFactor = factor;
    }

    public DecoderConfig Config { get; }

    /// <summary>The element type of the weights and activations.</summary>
    public ScalarType DType { get; }

    public override int Context => Config.MaxPositions;

    public override long VocabularySize => Config.VocabSize;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor tokens, Tensor? positions = null, Tensor? mask = null, IReadOnlyList<LayerCache>? cache = null)
    {
        if (Config.Head != DecoderHead.CausalLm)
        {
            throw new InvalidOperationException($"{Config.Architecture} has a classification head, not a language-model head.");
        }

        using var scope = NewDisposeScope();
        var hidden = Hidden(tokens, positions, mask, cache);
        var logits = lm_head is not null ? lm_head.forward(hidden) : nn.functional.linear(hidden, model.EmbedTokens.Weight);
        return logits.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [B, labels] classification values at the given position of each row (transformers pools *ForSequenceClassification
    /// at the last token that is not the pad token; the caller finds it).
    /// </summary>
    public Tensor Scores(Tensor tokens, Tensor poolPositions)
    {
        if (score is null)
        {
            throw new InvalidOperationException($"{Config.Architecture} has no classification head.");
        }

        ArgumentNullException.ThrowIfNull(poolPositions);
        using var scope = NewDisposeScope();
        var hidden = Hidden(tokens, null, null, null);
        var pooled = hidden.gather(1, poolPositions.view(-1, 1, 1).expand(-1, 1, hidden.shape[2])).squeeze(1);
        return score.forward(pooled).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>The final normalised hidden states [B, T, hidden].</summary>
    public Tensor Hidden(Tensor tokens, Tensor? positions, Tensor? mask, IReadOnlyList<LayerCache>? cache)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        using var scope = NewDisposeScope();
        var batch = tokens.shape[0];
        var time = tokens.shape[1];
        var past = cache is { Count: > 0 } ? cache[0].Length : 0;
        positions ??= arange(past, past + time, dtype: ScalarType.Int64, device: tokens.device).unsqueeze(0).expand(batch, -1);
        var (cos, sin) = Rotary(positions);
        var fullMask = mask;
        Tensor? windowMask = null;
        var total = past + time;
        var windowed = model.Layers.Any(l => l.Window is { } w && w < total);
        if (windowed || (mask is null && past > 0 && time > 1))
        {
            fullMask = mask ?? ones(time, total, ScalarType.Bool, tokens.device).tril(past).view(1, 1, time, total);
        }

        if (windowed)
        {
            var window = model.Layers.First(l => l.Window is not null).Window!.Value;
            var query = arange(past, total, dtype: ScalarType.Int64, device: tokens.device).view(-1, 1);
            var key = arange(total, dtype: ScalarType.Int64, device: tokens.device).view(1, -1);
            windowMask = fullMask!.logical_and((query - key).lt(window).view(1, 1, time, total));
        }

        var x = model.EmbedTokens.forward(tokens);
        for (var i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            var layerMask = layer.Window is { } w && w < total ? windowMask : fullMask;
            x = layer.Forward(x, cos, sin, layerMask, cache?[i]);
        }

        return model.Norm.forward(x).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<LayerCache> NewCache(long batch, long capacity, Device device) =>
        Enumerable.Range(0, Config.Layers).Select(_ => new LayerCache(batch, Config.KeyValueHeads, capacity, Config.HeadDim, device, DType)).ToArray();

    /// <summary>Every linear projection of the decoder layers, with its module path (for LoRA and adapters).</summary>
    public IEnumerable<(string Path, string Name, Projection Layer)> LayerProjections()
    {
        for (var i = 0; i < model.Layers.Count; i++)
        {
            foreach (var (name, layer) in model.Layers[i].Projections())
            {
                var parent = name is "q_proj" or "k_proj" or "v_proj" or "o_proj" ? "self_attn" : "mlp";
                yield return ($"model.layers.{i}.{parent}.{name}", name, layer);
            }
        }
    }

    /// <summary>cos and sin [B, T, head_dim] for the positions, as transformers' rotary embedding computes them.</summary>
    private (Tensor Cos, Tensor Sin) Rotary(Tensor positions)
    {
        var frequencies = positions.to_type(ScalarType.Float32).unsqueeze(-1) * inverseFrequencies.view(1, 1, -1);
        var angles = cat([frequencies, frequencies], -1);
        var cos = (angles.cos() * attentionFactor).to_type(DType);
        var sin = (angles.sin() * attentionFactor).to_type(DType);
        return (cos, sin);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inverseFrequencies.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>transformers' <c>model</c> submodule: embeddings, layers, final norm.</summary>
    private sealed class DecoderBody : nn.Module
    {
        private readonly TokenEmbedding embed_tokens;
        private readonly ModuleList<DecoderLayer> layers;
        private readonly RmsNorm norm;

        public DecoderBody(DecoderConfig config, ScalarType dtype, Device device)
            : base(nameof(DecoderBody))
        {
            embed_tokens = new TokenEmbedding(config.VocabSize, config.HiddenSize, dtype, device);
            layers = new ModuleList<DecoderLayer>();
            for (var i = 0; i < config.Layers; i++)
            {
                layers.Add(new DecoderLayer(config, config.LayerWindows[i], dtype, device));
            }

            norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
            register_module("embed_tokens", embed_tokens);
            register_module("layers", layers);
            register_module("norm", norm);
        }

        public TokenEmbedding EmbedTokens => embed_tokens;

        public ModuleList<DecoderLayer> Layers => layers;

        public RmsNorm Norm => norm;
    }
}

using PrefSuite.Models.Policy;
using static TorchSharp.torch;

namespace PrefSuite.Models.HuggingFace;

/// <summary>One decoder layer: x + attention(RMSNorm(x)), then x + SwiGLU MLP(RMSNorm(x)), down(silu(gate(x)) · up(x)).</summary>
public sealed class DecoderLayer : nn.Module
{
    private readonly RmsNorm input_layernorm;
    private readonly DecoderAttention self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly DecoderMlp mlp;

    public DecoderLayer(DecoderConfig config, int? window, ScalarType dtype, Device device)
        : base(nameof(DecoderLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        Window = window;
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        self_attn = new DecoderAttention(config, dtype, device);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        mlp = new DecoderMlp(config, dtype, device);
        register_module("input_layernorm", input_layernorm);
        register_module("self_attn", self_attn);
        register_module("post_attention_layernorm", post_attention_layernorm);
        register_module("mlp", mlp);
    }

    /// <summary>The sliding window this layer attends within, or null for full causal attention.</summary>
    public int? Window { get; }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, LayerCache? cache)
    {
        using var scope = NewDisposeScope();
        var attended = self_attn.Forward(input_layernorm.forward(x), cos, sin, mask, cache);
        var h = x + attended;
        var result = h + mlp.forward(post_attention_layernorm.forward(h));
        return result.MoveToOuterDisposeScope();
    }

    internal IEnumerable<(string Name, Projection Layer)> Projections() =>
        self_attn.Projections().Concat(mlp.Projections());
}

/// <summary>The SwiGLU MLP: down_proj(silu(gate_proj(x)) · up_proj(x)).</summary>
public sealed class DecoderMlp : nn.Module<Tensor, Tensor>
{
    private readonly Projection gate_proj;
    private readonly Projection up_proj;
    private readonly Projection down_proj;

    public DecoderMlp(DecoderConfig config, ScalarType dtype, Device device)
        : base(nameof(DecoderMlp))
    {
        ArgumentNullException.ThrowIfNull(config);
        gate_proj = new Projection(config.HiddenSize, config.IntermediateSize, config.MlpBias, dtype, device);
        up_proj = new Projection(config.HiddenSize, config.IntermediateSize, config.MlpBias, dtype, device);
        down_proj = new Projection(config.IntermediateSize, config.HiddenSize, config.MlpBias, dtype, device);
        register_module("gate_proj", gate_proj);
        register_module("up_proj", up_proj);
        register_module("down_proj", down_proj);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.silu(gate_proj.forward(input)) * up_proj.forward(input);
        return down_proj.forward(gated).MoveToOuterDisposeScope();
    }

    internal IEnumerable<(string Name, Projection Layer)> Projections()
    {
        yield return ("gate_proj", gate_proj);
        yield return ("up_proj", up_proj);
        yield return ("down_proj", down_proj);
    }
}

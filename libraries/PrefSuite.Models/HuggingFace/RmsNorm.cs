using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrefSuite.Models.HuggingFace;

/// <summary>RMSNorm as transformers' LlamaRMSNorm: normalise in float32, cast back, then scale by <c>weight</c>.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double epsilon;

    public RmsNorm(int width, double epsilon, ScalarType dtype, Device device)
        : base(nameof(RmsNorm))
    {
        this.epsilon = epsilon;
        weight = new Parameter(empty([width], dtype, device));
        register_parameter("weight", weight);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.to_type(ScalarType.Float32);
        var variance = x.pow(2).mean([-1], keepdim: true);
        var normed = (x * rsqrt(variance + epsilon)).to_type(input.dtype);
        return (weight * normed).MoveToOuterDisposeScope();
    }
}

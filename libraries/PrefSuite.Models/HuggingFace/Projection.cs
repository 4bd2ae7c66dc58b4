using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// A linear layer named as transformers names it (<c>weight</c> [out, in], optional <c>bias</c>), created empty so a
/// checkpoint fills it without a wasted random initialisation, with an optional LoRA adapter
/// (<c>lora_A.weight</c> [r, in], <c>lora_B.weight</c> [out, r], output + B·A·dropout(x)·alpha/r, as PEFT defines it).
/// </summary>
public sealed class Projection : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private Projection? loraA;
    private Projection? loraB;
    private double loraScaling;
    private double loraDropout;

    public Projection(int inFeatures, int outFeatures, bool hasBias, ScalarType dtype, Device device)
        : base(nameof(Projection))
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        weight = new Parameter(empty([outFeatures, inFeatures], dtype, device));
        register_parameter("weight", weight);
        if (hasBias)
        {
            bias = new Parameter(empty([outFeatures], dtype, device));
            register_parameter("bias", bias);
        }
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public Parameter Weight => weight;

    public Parameter? Bias => bias;

    public bool HasLora => loraA is not null;

    public override Tensor forward(Tensor input)
    {
        var output = nn.functional.linear(input, weight, bias);
        if (loraA is null || loraB is null)
        {
            return output;
        }

        using var scope = NewDisposeScope();
        var x = input.dtype == loraA.weight.dtype ? input : input.to_type(loraA.weight.dtype);
        if (loraDropout > 0 && training)
        {
            x = nn.functional.dropout(x, loraDropout, training: true);
        }

        var delta = loraB.forward(loraA.forward(x)) * loraScaling;
        return (output + delta.to_type(output.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Adds a LoRA adapter (A Kaiming-uniform with a = √5 as nn.Linear and PEFT initialise it, i.e. U(±1/√in), drawn from
    /// a generator seeded with <paramref name="seed"/>; B zero, so the layer starts unchanged) in float32, and freezes the
    /// base weight and bias.
    /// </summary>
    public void AttachLora(int rank, double alpha, double dropout, bool rsLora = false, long seed = 0)
    {
        if (loraA is not null)
        {
            throw new InvalidOperationException("This layer already has a LoRA adapter.");
        }

        var device = weight.device;
        loraA = new Projection(InFeatures, rank, false, ScalarType.Float32, device);
        loraB = new Projection(rank, OutFeatures, false, ScalarType.Float32, device);
        using (no_grad())
        {
            using var generator = new Generator((ulong)seed);
            var bound = 1.0 / Math.Sqrt(InFeatures);
            using var values = empty([rank, InFeatures], ScalarType.Float32).uniform_(-bound, bound, generator);
            loraA.weight.copy_(values);
            loraB.weight.zero_();
        }

        register_module("lora_A", loraA);
        register_module("lora_B", loraB);
        loraScaling = rsLora ? alpha / Math.Sqrt(rank) : alpha / rank;
        loraDropout = dropout;
        weight.requires_grad = false;
        if (bias is not null)
        {
            bias.requires_grad = false;
        }
    }

    /// <summary>The adapter's update B·A·scaling, [out, in], in float32.</summary>
    public Tensor LoraDelta()
    {
        if (loraA is null || loraB is null)
        {
            throw new InvalidOperationException("This layer has no LoRA adapter.");
        }

        using (no_grad())
        {
            return matmul(loraB.weight, loraA.weight) * loraScaling;
        }
    }

    internal Parameter LoraAWeight => loraA?.weight ?? throw new InvalidOperationException("no adapter");

    internal Parameter LoraBWeight => loraB?.weight ?? throw new InvalidOperationException("no adapter");
}

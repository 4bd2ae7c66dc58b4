using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrefSuite.Models.Training;

/// <summary>
/// AdamW (decoupled weight decay, PyTorch's update rule and defaults) over flat buffers: the trainable parameters of
/// one dtype and device become views into one contiguous tensor and their gradients views into another, so a step,
/// a gradient clip and zeroing the gradients are a handful of kernels for the whole model. TorchSharp's AdamW loops
/// over parameters with about ten kernels each; for a 24-layer model on a GPU that launch overhead alone took 26 ms of
/// a step against PyTorch's multi-tensor AdamW's 9 ms (docs/benchmarks.md). Nothing syncs with the device.
/// </summary>
public sealed class FlatAdamW : IDisposable
{
    private const int FileMagic = 0x46415731; // "FAW1"

    private readonly Group[] groups;
    private readonly double beta1;
    private readonly double beta2;
    private readonly double epsilon;
    private readonly double weightDecay;

    /// <param name="parameters">The parameters to train; from here on their data and gradients live in this optimizer's buffers.</param>
    public FlatAdamW(IEnumerable<Parameter> parameters, double learningRate, double weightDecay = 0.01, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        LearningRate = learningRate;
        this.weightDecay = weightDecay;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        using var noGrad = no_grad();
        groups = parameters
            .GroupBy(p => (p.dtype, Device: p.device.ToString()))
            .Select(g => Group.Create(g.ToArray()))
            .ToArray();
        if (groups.Length == 0)
        {
            throw new ArgumentException("There are no parameters to train.", nameof(parameters));
        }
    }

    public double LearningRate { get; set; }

    /// <summary>Optimizer steps taken (restored with the state).</summary>
    public long Steps { get; private set; }

    /// <summary>Sets every gradient to zero (the gradients stay allocated: they are views of one buffer).</summary>
    public void ZeroGrad()
    {
        foreach (var group in groups)
        {
            group.Gradients.zero_();
        }
    }

    /// <summary>Scales the gradients so their global L2 norm is at most <paramref name="maxNorm"/>, on the device.</summary>
    public void ClipGradNorm(double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var norms = groups.Select(g => g.Gradients.norm().to_type(ScalarType.Float32).to(groups[0].Gradients.device)).ToArray();
        var total = norms.Length == 1 ? norms[0] : stack(norms).norm();
        // As torch.nn.utils.clip_grad_norm_: coefficient max / (norm + 1e-6), never above 1.
        var coefficient = (maxNorm / (total + 1e-6)).clamp_max(1.0);
        foreach (var group in groups)
        {
            group.Gradients.mul_(coefficient.to(group.Gradients.device).to_type(group.Gradients.dtype));
        }
    }

    /// <summary>One AdamW update from the current gradients.</summary>
    public void Step()
    {
        Steps++;
        var correction1 = 1 - Math.Pow(beta1, Steps);
        var correction2 = 1 - Math.Pow(beta2, Steps);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var group in groups)
        {
            if (weightDecay != 0)
            {
                group.Values.mul_(1 - (LearningRate * weightDecay));
            }

            group.ExpAvg.mul_(beta1).add_(group.Gradients, 1 - beta1);
            group.ExpAvgSq.mul_(beta2).addcmul_(group.Gradients, group.Gradients, 1 - beta2);
            var denominator = (group.ExpAvgSq.sqrt() / Math.Sqrt(correction2)).add_(epsilon);
            group.Values.addcdiv_(group.ExpAvg, denominator, -LearningRate / correction1);
        }
    }

    /// <summary>Writes the step count and moments (a checkpoint's optimizer.bin).</summary>
    public void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(FileMagic);
        writer.Write(Steps);
        writer.Write(groups.Length);
        foreach (var group in groups)
        {
            writer.Write(group.Values.numel());
            group.ExpAvg.Save(writer);
            group.ExpAvgSq.Save(writer);
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote for the same parameters; a file of other parameters is an error naming it.</summary>
    public void Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.BaseStream.Length < 16 || reader.ReadInt32() != FileMagic)
        {
            throw new InvalidDataException($"{path}: not an optimizer state this version writes (an older checkpoint?); delete the checkpoint folder to start over.");
        }

        var steps = reader.ReadInt64();
        var count = reader.ReadInt32();
        if (count != groups.Length)
        {
            throw new InvalidDataException($"{path}: holds {count} parameter groups; this model trains {groups.Length}.");
        }

        using var noGrad = no_grad();
        foreach (var group in groups)
        {
            var elements = reader.ReadInt64();
            if (elements != group.Values.numel())
            {
                throw new InvalidDataException($"{path}: a group of {elements} values; this model's has {group.Values.numel()}.");
            }

            foreach (var moment in new[] { group.ExpAvg, group.ExpAvgSq })
            {
                using var stored = Tensor.Load(reader);
                moment.copy_(stored);
            }
        }

        Steps = steps;
    }

    public void Dispose()
    {
        foreach (var group in groups)
        {
            group.ExpAvg.Dispose();
            group.ExpAvgSq.Dispose();
        }
    }

    private sealed record Group(Tensor Values, Tensor Gradients, Tensor ExpAvg, Tensor ExpAvgSq)
    {
        public static Group Create(Parameter[] parameters)
        {
            var total = parameters.Sum(p => p.numel());
            var dtype = parameters[0].dtype;
            var device = parameters[0].device;
            var values = empty(total, dtype, device);
            var gradients = zeros(total, dtype, device);
            long offset = 0;
            foreach (var parameter in parameters)
            {
                var count = parameter.numel();
                var view = values.narrow(0, offset, count).view(parameter.shape);
                view.copy_(parameter);
                parameter.set_(view);
                parameter.grad = gradients.narrow(0, offset, count).view(parameter.shape);
                offset += count;
            }

            return new Group(values, gradients, zeros_like(values), zeros_like(values));
        }
    }
}

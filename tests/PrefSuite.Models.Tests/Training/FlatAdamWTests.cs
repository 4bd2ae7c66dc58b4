using PrefSuite.Models.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.Training;

/// <summary>
/// The flat-buffer AdamW against TorchSharp's own AdamW and clip_grad_norm_ on identical twin models: same weights
/// after several clipped steps, gradients accumulated into the flat buffer by autograd, and a saved state that resumes
/// exactly.
/// </summary>
public class FlatAdamWTests
{
    private static Sequential Model(long seed)
    {
        manual_seed(seed);
        return nn.Sequential(("a", nn.Linear(7, 5)), ("act", nn.Tanh()), ("b", nn.Linear(5, 3, hasBias: false)));
    }

    private static Tensor Loss(Sequential model, long seed)
    {
        manual_seed(1000 + seed);
        var x = randn(16, 7);
        return model.forward(x).pow(2).sum();
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.01, 0.5)]
    [InlineData(0.1, 1e6)]
    public void StepsMatchTorchSharpsAdamWWithClipping(double weightDecay, double clip)
    {
        using var reference = Model(1);
        using var flat = Model(1);
        using var referenceOptimizer = optim.AdamW(reference.parameters(), 0.05, weight_decay: weightDecay);
        using var flatOptimizer = new FlatAdamW(flat.parameters(), 0.05, weightDecay);
        for (var step = 0; step < 6; step++)
        {
            referenceOptimizer.zero_grad();
            flatOptimizer.ZeroGrad();
            // Two backward passes per step: gradients accumulate into the flat buffer's views as into the reference's own.
            for (var micro = 0; micro < 2; micro++)
            {
                Loss(reference, (step * 2) + micro).backward();
                Loss(flat, (step * 2) + micro).backward();
            }

            if (clip > 0)
            {
                nn.utils.clip_grad_norm_(reference.parameters(), clip);
                flatOptimizer.ClipGradNorm(clip);
            }

            referenceOptimizer.step();
            flatOptimizer.Step();
        }

        foreach (var ((name, expected), (_, actual)) in reference.named_parameters().Zip(flat.named_parameters()))
        {
            Assert.True(allclose(expected, actual, rtol: 1e-5, atol: 1e-6), $"{name} differs: max |Δ| {(expected - actual).abs().max().item<float>()}");
        }

        Assert.Equal(6, flatOptimizer.Steps);
    }

    [Fact]
    public void ASavedStateResumesToTheSameWeights()
    {
        using var straight = Model(2);
        using var resumed = Model(2);
        using var straightOptimizer = new FlatAdamW(straight.parameters(), 0.05);
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "optimizer.bin");
        void Train(Sequential model, FlatAdamW optimizer, int from, int to)
        {
            for (var step = from; step < to; step++)
            {
                optimizer.ZeroGrad();
                Loss(model, step).backward();
                optimizer.Step();
            }
        }

        Train(straight, straightOptimizer, 0, 3);
        straightOptimizer.Save(path);
        using (no_grad())
        {
            foreach (var ((_, source), (_, target)) in straight.named_parameters().Zip(resumed.named_parameters()))
            {
                target.copy_(source);
            }
        }

        using var resumedOptimizer = new FlatAdamW(resumed.parameters(), 0.05);
        resumedOptimizer.Load(path);
        Assert.Equal(3, resumedOptimizer.Steps);
        Train(straight, straightOptimizer, 3, 6);
        Train(resumed, resumedOptimizer, 3, 6);
        foreach (var ((name, expected), (_, actual)) in straight.named_parameters().Zip(resumed.named_parameters()))
        {
            Assert.True(expected.allclose(actual, 0, 0), $"{name} differs after resuming");
        }
    }

    [Fact]
    public void AStateOfOtherParametersIsRefusedNamingTheFile()
    {
        using var small = Model(3);
        using var other = nn.Linear(4, 4);
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "optimizer.bin");
        using (var optimizer = new FlatAdamW(small.parameters(), 0.01))
        {
            optimizer.Save(path);
        }

        using var mismatched = new FlatAdamW(other.parameters(), 0.01);
        var error = Assert.Throws<InvalidDataException>(() => mismatched.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        File.WriteAllBytes(path, new byte[32]);
        Assert.Contains("older checkpoint", Assert.Throws<InvalidDataException>(() => mismatched.Load(path)).Message, StringComparison.Ordinal);
    }
}

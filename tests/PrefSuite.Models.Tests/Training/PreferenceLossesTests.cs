using PrefSuite.Models.Training;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.Training;

public class PreferenceLossesTests
{
    // h = 2, β = 0.1, Δr = 0.5, chosen NLL = 1.2, ε = 0.1, α = 1, β₁ = 0.1, λ = 1; expected values computed with Python's math module.
    [Theory]
    [InlineData(LossKind.Sigmoid, 0.5981388693815918)] // −log σ(0.2)
    [InlineData(LossKind.Ipo, 9.0)] // (2 − 5)²
    [InlineData(LossKind.Hinge, 0.8)] // max(0, 1 − 0.2)
    [InlineData(LossKind.Robust, 0.5731388693815918)] // [−0.9 log σ(0.2) + 0.1 log σ(−0.2)] / 0.8
    [InlineData(LossKind.Odpo, 0.34313951550926824)] // −log σ(0.2 − log 0.5)
    [InlineData(LossKind.Rdpo, 0.8543552444685272)] // −log σ(0.2 − 0.1·0.5/0.1)
    [InlineData(LossKind.MlRdpo, 23.638138869381592)] // −log σ(0.2) + (0.2 − 5)²
    [InlineData(LossKind.Sft, 1.2)]
    public void EachLossMatchesItsFormula(LossKind kind, double expected)
    {
        var settings = new LossSettings();
        Assert.Equal(expected, PreferenceLosses.PerPair(kind, 2.0, 0.5, 1.2, settings), 12);

        using var h = tensor(new[] { 2.0f, 2.0f });
        using var gap = tensor(new[] { 0.5f, 0.5f });
        using var nll = tensor(new[] { 1.2f, 1.2f });
        using var loss = PreferenceLosses.PerPair(kind, h, gap, nll, settings);
        Assert.Equal(expected, loss[0].item<float>(), 4);
        Assert.Equal(expected, loss[1].item<float>(), 4);
    }

    [Fact]
    public void TheDpoGradientPushesTheMarginUp()
    {
        using var h = tensor(new[] { 0.5f }, requires_grad: true);
        using var gap = tensor(new[] { 1f });
        using var nll = tensor(new[] { 1f });
        using var loss = PreferenceLosses.PerPair(LossKind.Sigmoid, h, gap, nll, new LossSettings()).sum();
        loss.backward();
        // d/dh −log σ(βh) = −β·σ(−βh) = −0.1·σ(−0.05).
        Assert.Equal(-0.1 / (1 + Math.Exp(0.05)), h.grad!.item<float>(), 5);
    }

    [Theory]
    [InlineData("sigmoid", new[] { LossKind.Sigmoid }, new[] { 1.0 })]
    [InlineData("sigmoid:1,sft:0.5", new[] { LossKind.Sigmoid, LossKind.Sft }, new[] { 1.0, 0.5 })]
    [InlineData("ml-rdpo", new[] { LossKind.MlRdpo }, new[] { 1.0 })]
    public void LossListsParse(string text, LossKind[] kinds, double[] weights)
    {
        var terms = LossTerm.ParseList(text);
        Assert.Equal(kinds, terms.Select(t => t.Kind));
        Assert.Equal(weights, terms.Select(t => t.Weight));
    }

    [Fact]
    public void ScheduleWarmsUpThenDecaysToZero()
    {
        var schedule = new LearningRateSchedule(1e-3, WarmupSteps: 10, TotalSteps: 110);
        Assert.Equal(1e-4, schedule.At(0), 12);
        Assert.Equal(1e-3, schedule.At(9), 12);
        Assert.Equal(1e-3, schedule.At(10), 12);
        Assert.Equal(0.5e-3, schedule.At(60), 12);
        Assert.Equal(0.0, schedule.At(110), 12);
    }
}

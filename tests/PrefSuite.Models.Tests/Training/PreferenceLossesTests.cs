using PrefSuite.Science.Losses;
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
        var settings = new LossSettings { Beta1 = 0.1 };
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

    // h = 2, β = 0.1, Δr = 0.5, chosen NLL = 1.2: a constant of 0 is the value 0, not "the default".
    // −log σ(0.2) = 0.5981388693815918 (Python's math module); the formulas of SCIENCE.md §1 at 0 reduce to it:
    // robust at ε = 0: [−1·log σ(0.2) + 0·log σ(−0.2)] / 1; ODPO at α = 0: −log σ(0.2 − 0·log 0.5); ML-RDPO at λ = 0:
    // −log σ(0.2) + 0·(0.2 − 0.5/5)².
    [Theory]
    [InlineData(LossKind.Robust, 0.0, 1.0, 1.0, 0.5981388693815918)]
    [InlineData(LossKind.Odpo, 0.1, 0.0, 1.0, 0.5981388693815918)]
    [InlineData(LossKind.MlRdpo, 0.1, 1.0, 0.0, 0.5981388693815918)]
    [InlineData(LossKind.MlRdpo, 0.1, 1.0, 0.5, 0.6031388693815918)] // −log σ(0.2) + 0.5·(0.2 − 0.5/5)² = … + 0.5·0.01
    [InlineData(LossKind.Rdpo, 0.1, 1.0, 1.0, 0.6026529092986133)] // −log σ(0.2 − 0.1·0.5/5) at the default β₁ = 5
    public void AConstantOfZeroReachesTheLoss(LossKind kind, double epsilon, double alpha, double lambda, double expected)
    {
        var settings = new LossSettings { Epsilon = epsilon, Alpha = alpha, Lambda = lambda };
        Assert.Equal(5.0, settings.Beta1);
        Assert.Empty(settings.Problems());
        Assert.Equal(expected, PreferenceLosses.PerPair(kind, 2.0, 0.5, 1.2, settings), 12);
        Assert.Equal(PreferenceLosses.PerPair(LossKind.Sigmoid, 2.0, 0.5, 1.2, settings) == expected, lambda == 0 || epsilon == 0 || alpha == 0);

        using var h = tensor(new[] { 2.0f });
        using var gap = tensor(new[] { 0.5f });
        using var nll = tensor(new[] { 1.2f });
        using var loss = PreferenceLosses.PerPair(kind, h, gap, nll, settings);
        Assert.Equal(expected, loss[0].item<float>(), 5);
    }

    // The default β₁ = 5 on a 1–10 rating scale (docs/science.md): at the start of training (h = 0) ML-RDPO's squared term
    // λ·(Δr/β₁)² is 0.04, 0.16, 0.36, 0.64 at gaps 1–4, below its log-sigmoid term −log σ(0) = log 2 = 0.693; at the
    // widest gap, 9, it is 3.24. With the old default β₁ = 0.1 it was 100 at a gap of 1 and 8,100 at 9.
    [Theory]
    [InlineData(1.0, 0.04)]
    [InlineData(2.0, 0.16)]
    [InlineData(3.0, 0.36)]
    [InlineData(4.0, 0.64)]
    [InlineData(9.0, 3.24)]
    public void TheDefaultBeta1KeepsMlRdposSquaredTermNearItsRankingTermOnATenPointScale(double gap, double squared)
    {
        var settings = new LossSettings();
        var ranking = PreferenceLosses.PerPair(LossKind.Sigmoid, 0.0, gap, 0.0, settings);
        Assert.Equal(Math.Log(2), ranking, 12);
        Assert.Equal(ranking + squared, PreferenceLosses.PerPair(LossKind.MlRdpo, 0.0, gap, 0.0, settings), 12);
        Assert.Equal(gap <= 4, squared < ranking);
        Assert.Equal(gap * gap * 100, PreferenceLosses.PerPair(LossKind.MlRdpo, 0.0, gap, 0.0, settings with { Beta1 = 0.1 }) - ranking, 9);
    }

    [Theory]
    [InlineData(0.5, 1.0, 5.0, 1.0, "Epsilon")]
    [InlineData(-0.1, 1.0, 5.0, 1.0, "Epsilon")]
    [InlineData(0.1, -1.0, 5.0, 1.0, "Alpha")]
    [InlineData(0.1, 1.0, 0.0, 1.0, "Beta1")]
    [InlineData(0.1, 1.0, -2.0, 1.0, "Beta1")]
    [InlineData(0.1, 1.0, 5.0, -0.5, "Lambda")]
    public void MeaninglessConstantsAreNamed(double epsilon, double alpha, double beta1, double lambda, string property)
    {
        var problems = new LossSettings { Epsilon = epsilon, Alpha = alpha, Beta1 = beta1, Lambda = lambda }.Problems();
        Assert.Equal(property, Assert.Single(problems).Property);
    }

    [Fact]
    public void ALossWeightOfZeroParsesAndANegativeOneIsRefused()
    {
        Assert.Equal([1.0, 0.0], LossTerm.ParseList("sigmoid:1,sft:0").Select(t => t.Weight));
        var error = Assert.Throws<FormatException>(() => LossTerm.ParseList("sigmoid,sft:-0.5"));
        Assert.Contains("sft:-0.5", error.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => LossTerm.ParseList("sigmoid:abc"));
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

using PrefSuite.Science.Losses;
using static TorchSharp.torch;

namespace PrefSuite.Models.Training;

/// <summary>
/// The per-pair losses of SCIENCE.md §1 on h = [logπθ(y_w) − logπref(y_w)] − [logπθ(y_l) − logπref(y_l)], the rating
/// gap Δr = r_w − r_l and the chosen response's token-mean NLL.
/// </summary>
public static class PreferenceLosses
{
    /// <summary>[B] per-pair loss of one kind.</summary>
    public static Tensor PerPair(LossKind kind, Tensor h, Tensor ratingGap, Tensor chosenNll, LossSettings settings)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(settings);
        var beta = settings.Beta;
        return kind switch
        {
            LossKind.Sigmoid => nn.functional.softplus(-beta * h),
            LossKind.Ipo => (h - (1 / (2 * beta))).pow(2),
            LossKind.Hinge => nn.functional.relu(1 - (beta * h)),
            LossKind.Robust => (((1 - settings.Epsilon) * nn.functional.softplus(-beta * h)) - (settings.Epsilon * nn.functional.softplus(beta * h))) / (1 - (2 * settings.Epsilon)),
            LossKind.Odpo => nn.functional.softplus(-((beta * h) - (settings.Alpha * ratingGap.log()))),
            LossKind.Rdpo => nn.functional.softplus(-((beta * h) - (beta * ratingGap / settings.Beta1))),
            LossKind.MlRdpo => nn.functional.softplus(-beta * h) + (settings.Lambda * ((beta * h) - (ratingGap / settings.Beta1)).pow(2)),
            LossKind.Sft => chosenNll.clone(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss."),
        };
    }

    /// <summary>The same losses on doubles: the specification in executable form, used to check the tensor version.</summary>
    public static double PerPair(LossKind kind, double h, double ratingGap, double chosenNll, LossSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var beta = settings.Beta;
        return kind switch
        {
            LossKind.Sigmoid => -LogSigmoid(beta * h),
            LossKind.Ipo => Math.Pow(h - (1 / (2 * beta)), 2),
            LossKind.Hinge => Math.Max(0, 1 - (beta * h)),
            LossKind.Robust => ((-(1 - settings.Epsilon) * LogSigmoid(beta * h)) + (settings.Epsilon * LogSigmoid(-beta * h))) / (1 - (2 * settings.Epsilon)),
            LossKind.Odpo => -LogSigmoid((beta * h) - (settings.Alpha * Math.Log(ratingGap))),
            LossKind.Rdpo => -LogSigmoid((beta * h) - (beta * ratingGap / settings.Beta1)),
            LossKind.MlRdpo => -LogSigmoid(beta * h) + (settings.Lambda * Math.Pow((beta * h) - (ratingGap / settings.Beta1), 2)),
            LossKind.Sft => chosenNll,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss."),
        };
    }

    /// <summary>log σ(z), stable for large |z|.</summary>
    public static double LogSigmoid(double z) => z >= 0 ? -Math.Log(1 + Math.Exp(-z)) : z - Math.Log(1 + Math.Exp(z));
}

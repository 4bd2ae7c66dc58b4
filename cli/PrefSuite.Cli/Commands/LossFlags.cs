using System.CommandLine;
using PrefSuite.Contracts.V1;
using PrefSuite.Science.Losses;
using PrefSuite.Stages.Training;

namespace PrefSuite.Cli.Commands;

/// <summary>
/// The loss constants as flags (<c>prefsuite train</c> and <c>prefsuite run</c> spell them alike): not given, the
/// trainer's default applies; given, the value does, 0 included.
/// </summary>
internal static class LossFlags
{
    public const string Epsilon = "--epsilon";
    public const string Alpha = "--alpha";
    public const string Beta1 = "--beta1";
    public const string MlRdpoLambda = "--ml-rdpo-lambda";

    public const string EpsilonHelp = "Label-noise rate ε of the robust loss, in [0, 0.5) (default 0.1; 0: the sigmoid loss).";
    public const string AlphaHelp = "Offset scale α of ODPO, at least 0 (default 1; 0: the sigmoid loss).";
    public const string Beta1Help = "Rating-gap scale β₁ of RDPO and ML-RDPO, positive (default 5, sized for a 1-10 rating scale; tune it: docs/science.md).";
    public const string MlRdpoLambdaHelp = "Weight λ of ML-RDPO's rating-gap term, at least 0 (default 1; 0: the sigmoid loss).";

    public static (Option<double?> Epsilon, Option<double?> Alpha, Option<double?> Beta1, Option<double?> MlRdpoLambda) Create() =>
        (new(Epsilon) { Description = EpsilonHelp }, new(Alpha) { Description = AlphaHelp }, new(Beta1) { Description = Beta1Help }, new(MlRdpoLambda) { Description = MlRdpoLambdaHelp });

    /// <summary>The flag of a <see cref="LossSettings"/> property.</summary>
    public static string FlagOf(string property) => property switch
    {
        nameof(LossSettings.Lambda) => MlRdpoLambda,
        _ => "--" + property.ToLowerInvariant(),
    };

    /// <summary>Checks the constants of a request built from flags; the error names the flag.</summary>
    public static void Validate(TrainOptions options)
    {
        if (LossOptionsMapping.Read(options).Problems() is { Count: > 0 } problems)
        {
            throw new OptionException($"{FlagOf(problems[0].Property)}: {problems[0].Problem}");
        }
    }
}

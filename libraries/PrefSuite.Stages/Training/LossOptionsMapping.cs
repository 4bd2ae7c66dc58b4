using PrefSuite.Contracts.V1;
using PrefSuite.Science.Losses;
using PrefSuite.Workflow;
using LossKind = PrefSuite.Science.Losses.LossKind;
using LossTerm = PrefSuite.Science.Losses.LossTerm;

namespace PrefSuite.Stages.Training;

/// <summary>
/// The loss terms and constants of a <see cref="TrainOptions"/>: an unset optional field takes the default of
/// <see cref="LossSettings"/> (and an unset weight 1); a set one, 0 included, is the value. Errors name the field.
/// </summary>
public static class LossOptionsMapping
{
    /// <summary>
    /// Checks the loss terms and constants of a request where it arrives (a run spec's <paramref name="field"/> is
    /// "training"), so a run with a meaningless constant fails at submission, not after sampling.
    /// </summary>
    public static void Validate(TrainOptions options, string field)
    {
        _ = Terms(options, [], field);
        _ = Settings(options, field);
    }

    /// <summary>The weighted loss terms; none given means <paramref name="defaults"/>.</summary>
    public static IReadOnlyList<LossTerm> Terms(TrainOptions options, IReadOnlyList<LossTerm> defaults, string field = "options")
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Losses.Count == 0)
        {
            return defaults;
        }

        var terms = new LossTerm[options.Losses.Count];
        for (var i = 0; i < terms.Length; i++)
        {
            var term = options.Losses[i];
            var weight = term.HasWeight ? term.Weight : 1.0;
            if (!(weight >= 0 && double.IsFinite(weight)))
            {
                throw new InvalidRequestException($"{field}.losses[{i}].weight", $"must be a finite number at least 0, got {weight}");
            }

            terms[i] = new LossTerm(ToKind(term.Kind, $"{field}.losses[{i}].kind"), weight);
        }

        return terms;
    }

    /// <summary>The loss constants, validated: β when not 0 (0 is the default), ε, α, β₁ and λ when set.</summary>
    public static LossSettings Settings(TrainOptions options, string field = "options")
    {
        var settings = Read(options);
        return settings.Problems() is { Count: > 0 } problems
            ? throw new InvalidRequestException(FieldName(problems[0].Property, field), problems[0].Problem)
            : settings;
    }

    /// <summary>The loss constants as given, not yet validated (callers name the offending setting their own way).</summary>
    public static LossSettings Read(TrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var defaults = new LossSettings();
        return new LossSettings
        {
            Beta = options.Beta != 0 ? options.Beta : defaults.Beta,
            Epsilon = options.HasEpsilon ? options.Epsilon : defaults.Epsilon,
            Alpha = options.HasAlpha ? options.Alpha : defaults.Alpha,
            Beta1 = options.HasBeta1 ? options.Beta1 : defaults.Beta1,
            Lambda = options.HasMlRdpoLambda ? options.MlRdpoLambda : defaults.Lambda,
        };
    }

    /// <summary>Adds the terms to a request, each with its weight set (so that a weight of 0 stays 0).</summary>
    public static void AddTerms(TrainOptions target, IEnumerable<LossTerm> terms)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(terms);
        target.Losses.Add(terms.Select(t => new Contracts.V1.LossTerm { Kind = ToProto(t.Kind), Weight = t.Weight }));
    }

    /// <summary>Sets the constants that were given (null: left unset, so the trainer's default applies).</summary>
    public static void SetConstants(TrainOptions target, double? epsilon, double? alpha, double? beta1, double? mlRdpoLambda)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (epsilon is { } e)
        {
            target.Epsilon = e;
        }

        if (alpha is { } a)
        {
            target.Alpha = a;
        }

        if (beta1 is { } b)
        {
            target.Beta1 = b;
        }

        if (mlRdpoLambda is { } l)
        {
            target.MlRdpoLambda = l;
        }
    }

    /// <summary>The proto field of a <see cref="LossSettings"/> property, under <paramref name="message"/>.</summary>
    public static string FieldName(string property, string message = "options") => property switch
    {
        nameof(LossSettings.Lambda) => message + ".ml_rdpo_lambda",
        _ => message + "." + property.ToLowerInvariant(),
    };

    private static Contracts.V1.LossKind ToProto(LossKind kind) => kind switch
    {
        LossKind.Sigmoid => Contracts.V1.LossKind.Sigmoid,
        LossKind.Ipo => Contracts.V1.LossKind.Ipo,
        LossKind.Hinge => Contracts.V1.LossKind.Hinge,
        LossKind.Robust => Contracts.V1.LossKind.Robust,
        LossKind.Odpo => Contracts.V1.LossKind.Odpo,
        LossKind.Rdpo => Contracts.V1.LossKind.Rdpo,
        LossKind.MlRdpo => Contracts.V1.LossKind.MlRdpo,
        LossKind.Sft => Contracts.V1.LossKind.Sft,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss."),
    };

    private static LossKind ToKind(Contracts.V1.LossKind kind, string field) => kind switch
    {
        Contracts.V1.LossKind.Unspecified or Contracts.V1.LossKind.Sigmoid => LossKind.Sigmoid,
        Contracts.V1.LossKind.Ipo => LossKind.Ipo,
        Contracts.V1.LossKind.Hinge => LossKind.Hinge,
        Contracts.V1.LossKind.Robust => LossKind.Robust,
        Contracts.V1.LossKind.Odpo => LossKind.Odpo,
        Contracts.V1.LossKind.Rdpo => LossKind.Rdpo,
        Contracts.V1.LossKind.MlRdpo => LossKind.MlRdpo,
        Contracts.V1.LossKind.Sft => LossKind.Sft,
        _ => throw new InvalidRequestException(field, $"unknown loss {kind}"),
    };
}

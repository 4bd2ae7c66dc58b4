using PrefSuite.Contracts.V1;
using PrefSuite.Science.Demo;
using PrefSuite.Stages.Sampling;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Runs;

/// <summary>Checks a run spec and fills what it leaves out: the same rules for the stack and the embedded pipeline.</summary>
public static class RunSpecValidation
{
    /// <summary>Prompts one run may hold. The embedded pipeline samples them in chunks and the stack one queue message each.</summary>
    public const int MaxPrompts = 1_000_000;

    /// <summary>Rounds one run may hold.</summary>
    public const int MaxRounds = 1000;

    /// <summary>
    /// Validates (errors name the field), fills sampling defaults and the run id. Demo prompts stay a count and a seed:
    /// <see cref="Prompts"/> makes them as they are read.
    /// </summary>
    public static RunSpec Normalize(RunSpec spec, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(time);
        CheckSamples(spec);
        if (spec.Prompts.Count > 0)
        {
            SamplingStage.ValidatePrompts(spec.Prompts, MaxPrompts, "per run");
        }
        else if (spec.DemoPrompts <= 0)
        {
            throw new InvalidRequestException("prompts", "give prompts or demo_prompts");
        }
        else if (spec.DemoPrompts > MaxPrompts)
        {
            throw new InvalidRequestException("demo_prompts", $"is {spec.DemoPrompts}; at most {MaxPrompts} per run");
        }

        return NormalizeSettings(spec, RunDefinition.PromptCount(spec), time);
    }

    /// <summary>
    /// Validates and completes the settings of a run whose prompts came apart from them (a streamed submission, spooled):
    /// the prompts are checked as they are read, once, and are the run's prompts as a spec's own prompts would be.
    /// </summary>
    public static RunSpec Normalize(RunSpec settings, IEnumerable<Prompt> prompts, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(time);
        if (settings.Prompts.Count > 0)
        {
            throw new ArgumentException("The settings of a run whose prompts come apart must hold none.", nameof(settings));
        }

        CheckSamples(settings);
        return NormalizeSettings(settings, SamplingStage.ValidatePrompts(prompts, MaxPrompts, "per run"), time);
    }

    private static void CheckSamples(RunSpec spec)
    {
        if (spec.Sampling is null || spec.Sampling.N < 2)
        {
            throw new InvalidRequestException("sampling.n", "must be at least 2: a preference pair needs two responses");
        }
    }

    private static RunSpec NormalizeSettings(RunSpec spec, int promptCount, TimeProvider time)
    {
        spec.Sampling = SamplingStage.ValidateParameters(spec.Sampling);
        Mapping.SelectionMapping.ToOptions(spec.Strategy);
        Mapping.SelectionMapping.ToOptions(spec.Dataset);
        if (spec.Training is { } training)
        {
            Training.LossOptionsMapping.Validate(training, "training");
        }

        if (spec.EvaluationPrompts < 0)
        {
            throw new InvalidRequestException("evaluation_prompts", "must not be negative");
        }

        if (spec.Rounds is < 0 or > MaxRounds)
        {
            throw new InvalidRequestException("rounds", $"is {spec.Rounds}; give 1 to {MaxRounds} (0 means 1)");
        }

        if (spec.Rounds > 1 && spec.Training is null)
        {
            throw new InvalidRequestException("rounds", "more than one round needs training: each round samples with the policy the round before trained");
        }

        if (spec.FreshPrompts && promptCount < RunDefinition.Rounds(spec))
        {
            throw new InvalidRequestException("fresh_prompts", $"{promptCount} prompts cannot give each of {spec.Rounds} rounds fresh prompts");
        }

        if (spec.ImplicitWarmup is < 0 or > 1 || double.IsNaN(spec.ImplicitWarmup))
        {
            throw new InvalidRequestException("implicit_warmup", $"is {spec.ImplicitWarmup}; give the share of pairs the warm-up trains on, in (0, 1], or 0 for none");
        }

        if (string.IsNullOrEmpty(spec.RunId))
        {
            spec.RunId = $"run-{time.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        }
        else if (ArtifactPaths.Safe(spec.RunId) != spec.RunId)
        {
            throw new InvalidRequestException("run_id", "may hold only letters, digits, '-', '_' and '.'");
        }

        return spec;
    }

    /// <summary>A normalized spec's prompts in order: its own, or its demo prompts made one at a time.</summary>
    public static IEnumerable<Prompt> Prompts(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Prompts.Count > 0
            ? spec.Prompts
            : SortingTask.Generate(spec.DemoPrompts, spec.DemoSeed, SortingTaskShape.Standard).Select(p => new Prompt { PromptId = p.Id, Text = p.Text });
    }
}

/// <summary>The stages' rules for run specs, as the workflow takes them.</summary>
public sealed class RunSpecRules(TimeProvider time) : IRunSpecRules
{
    public RunSpec Normalize(RunSpec spec) => RunSpecValidation.Normalize(spec, time);

    public RunSpec Normalize(RunSpec settings, IEnumerable<Prompt> prompts) => RunSpecValidation.Normalize(settings, prompts, time);

    public IEnumerable<Prompt> Prompts(RunSpec spec) => RunSpecValidation.Prompts(spec);
}

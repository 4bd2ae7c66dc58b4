using PrefSuite.Contracts.V1;

namespace PrefSuite.Workflow;

/// <summary>
/// What a run is, in one place: the stages each prompt passes and their order, the run-level steps that follow, the
/// requests the workflow sends, and the states a run ends in. The stack and <c>prefsuite run</c> both follow it.
/// </summary>
public static class RunDefinition
{
    /// <summary>The per-prompt stages in order (denoising is skipped when the spec says so).</summary>
    public static IReadOnlyList<Stage> PerPrompt { get; } = [Stage.Sample, Stage.Score, Stage.Denoise, Stage.Select];

    /// <summary>The stage after <paramref name="stage"/> for one prompt; null after selection (the prompt is finished).</summary>
    public static Stage? After(Stage stage, RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return stage switch
        {
            Stage.Sample => Stage.Score,
            Stage.Score => spec.SkipDenoise ? Stage.Select : Stage.Denoise,
            Stage.Denoise => Stage.Select,
            _ => null,
        };
    }

    /// <summary>Whether a run's per-prompt stages include <paramref name="stage"/>.</summary>
    public static bool Includes(RunSpec spec, Stage stage)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return stage switch
        {
            Stage.Denoise => !spec.SkipDenoise,
            Stage.Train => spec.Training is not null,
            _ => true,
        };
    }

    /// <summary>A new run's progress rows: every stage with its total (0 for a stage the run skips).</summary>
    public static IEnumerable<StageProgress> InitialProgress(RunSpec spec, int prompts)
    {
        foreach (var stage in PerPrompt)
        {
            yield return new StageProgress { Stage = stage.Name(), Total = Includes(spec, stage) ? prompts : 0 };
        }

        yield return new StageProgress { Stage = Stage.SelectDataset.Name(), Total = 1 };
        yield return new StageProgress { Stage = Stage.Train.Name(), Total = Includes(spec, Stage.Train) ? 1 : 0 };
    }

    public static SampleUnit SampleUnit(RunSpec spec, Prompt prompt, string policy)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new SampleUnit { RunId = spec.RunId, Prompt = prompt, Sampling = spec.Sampling, Policy = new PolicyRef { Checkpoint = policy } };
    }

    /// <summary>The dataset step over the prompts that finished (in prompt order).</summary>
    public static DatasetSelectRequest DatasetRequest(RunSpec spec, IEnumerable<string> finishedPromptIds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var request = new DatasetSelectRequest { RunId = spec.RunId, Strategy = spec.Strategy, Dataset = spec.Dataset };
        request.PromptIds.Add(finishedPromptIds);
        return request;
    }

    /// <summary>The run's preference training on its dataset.</summary>
    public static TrainRequest TrainingRequest(RunSpec spec, string policy, string datasetArtifact)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new TrainRequest
        {
            JobId = JobIds.Training(spec.RunId),
            RunId = spec.RunId,
            BasePolicy = new PolicyRef { Checkpoint = policy },
            Options = spec.Training,
            DatasetArtifact = datasetArtifact,
            EvaluationPrompts = spec.EvaluationPrompts,
            HeldOutPairs = spec.HeldOutPairs,
        };
    }

    /// <summary>The default policy's SFT job, trained when a run names no policy and the model store has none.</summary>
    public static TrainRequest DefaultPolicyRequest(int steps) =>
        new() { JobId = JobIds.DefaultPolicy, DemoSft = true, Options = new TrainOptions { Steps = steps } };

    public static bool IsFinal(RunState state) => state is RunState.Succeeded or RunState.Failed or RunState.Cancelled;
}

/// <summary>Checks a submitted spec and fills its defaults (the stages' own rules, given to the workflow by its host).</summary>
public interface IRunSpecRules
{
    /// <summary>The spec validated (errors name the field) and completed: run id, prompts, sampling defaults.</summary>
    RunSpec Normalize(RunSpec spec);
}

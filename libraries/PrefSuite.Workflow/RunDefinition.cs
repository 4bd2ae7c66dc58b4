using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Storage;

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

    /// <summary>The rounds of a run (1 unless the spec asks for more).</summary>
    public static int Rounds(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Math.Max(1, spec.Rounds);
    }

    /// <summary>How many prompts a spec's run samples: its own prompts, or else its demo prompts (made as they are read).</summary>
    public static int PromptCount(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Prompts.Count > 0 ? spec.Prompts.Count : Math.Max(0, spec.DemoPrompts);
    }

    /// <summary>
    /// The prompts of a round, as a range of the spec's prompts: all of them every round, or with fresh_prompts the
    /// round's slice (prompt count / rounds each; the last round also takes the remainder).
    /// </summary>
    /// <param name="promptCount">The run's prompt count, when <paramref name="spec"/> holds only the settings.</param>
    public static (int Start, int Count) RoundPrompts(RunSpec spec, int round, int? promptCount = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var rounds = Rounds(spec);
        var all = promptCount ?? PromptCount(spec);
        if (!spec.FreshPrompts || rounds == 1)
        {
            return (0, all);
        }

        var size = all / rounds;
        var start = (Math.Clamp(round, 1, rounds) - 1) * size;
        return (start, round >= rounds ? all - start : size);
    }

    public static SampleUnit SampleUnit(RunSpec spec, RunRound round, Prompt prompt, string policy)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new SampleUnit { RunId = round.ToString(), Prompt = prompt, Sampling = spec.Sampling, Policy = new PolicyRef { Checkpoint = policy } };
    }

    /// <summary>Whether each round warms a policy up for implicit rewards before its final selection (Less is More).</summary>
    public static bool WarmsUp(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.ImplicitWarmup > 0;
    }

    /// <summary>
    /// A round's dataset step over the prompts that finished (in prompt order). With a warm-up, the first selection
    /// keeps every candidate pair (the warm-up draws its random share from them, none routed to SFT); the second
    /// selects by the spec's dataset options with the implicit margins the warm-up wrote.
    /// </summary>
    /// <param name="promptsArtifact">Where the run's prompts are stored (<see cref="StoredRunSpec.PromptsArtifactAsync"/>).</param>
    /// <param name="firstPrompt">The round's first prompt's position in the run's prompts.</param>
    /// <param name="finished">Per prompt of the round: whether it finished.</param>
    public static DatasetSelectRequest DatasetRequest(RunSpec spec, RunRound round, string promptsArtifact, int firstPrompt, IReadOnlyList<bool> finished, bool beforeWarmup = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(finished);
        var dataset = beforeWarmup ? new DatasetOptions { Aggregation = spec.Dataset?.Aggregation ?? Aggregation.Unspecified, KeepFraction = 1 } : spec.Dataset;
        var bits = new byte[(finished.Count + 7) / 8];
        for (var i = 0; i < finished.Count; i++)
        {
            if (finished[i])
            {
                bits[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        return new DatasetSelectRequest
        {
            RunId = round.ToString(),
            Strategy = spec.Strategy,
            Dataset = dataset,
            PromptsArtifact = promptsArtifact,
            FirstPrompt = firstPrompt,
            PromptCount = finished.Count,
            Finished = ByteString.CopyFrom(bits),
            Candidates = beforeWarmup,
        };
    }

    /// <summary>
    /// The ids of a dataset step's prompts, in order, streamed: the listed ids, or the finished prompts of the round read
    /// from the prompts artifact (so neither the message nor the reader holds a million ids).
    /// </summary>
    public static async IAsyncEnumerable<string> DatasetPromptIdsAsync(IArtifactStore store, DatasetSelectRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var id in request.PromptIds)
        {
            yield return id;
        }

        if (request.PromptsArtifact.Length == 0)
        {
            yield break;
        }

        if (request.FirstPrompt < 0 || request.PromptCount < 0 || request.Finished.Length * 8L < request.PromptCount)
        {
            throw new InvalidRequestException("finished", $"{request.Finished.Length} bytes of bits for {request.PromptCount} prompts from {request.FirstPrompt}");
        }

        var position = 0;
        await foreach (var prompt in StoredRunSpec.ReadPromptsAsync(store, request.PromptsArtifact, cancellationToken).ConfigureAwait(false))
        {
            var i = position++ - request.FirstPrompt;
            if (i >= request.PromptCount)
            {
                yield break;
            }

            if (i >= 0 && (request.Finished[i / 8] & (1 << (i % 8))) != 0)
            {
                yield return prompt.PromptId;
            }
        }
    }

    /// <summary>
    /// A round's preference training on its dataset, from the policy the round sampled with; the trainer freezes its
    /// starting policy as the reference, so round r+1's reference is round r's policy.
    /// </summary>
    public static TrainRequest TrainingRequest(RunSpec spec, RunRound round, string policy, string datasetArtifact)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new TrainRequest
        {
            JobId = JobIds.Training(round.ToString()),
            RunId = round.ToString(),
            BasePolicy = new PolicyRef { Checkpoint = policy },
            Options = spec.Training,
            DatasetArtifact = datasetArtifact,
            EvaluationPrompts = spec.EvaluationPrompts,
            HeldOutPairs = spec.HeldOutPairs,
        };
    }

    /// <summary>
    /// A round's Less-is-More warm-up: one epoch from the round's policy on a random share of its first selection's
    /// pairs; the job then writes every response's implicit reward into the round's selected units.
    /// </summary>
    public static TrainRequest WarmupRequest(RunSpec spec, RunRound round, string policy, string datasetArtifact)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = spec.Training?.Clone() ?? new TrainOptions { Seed = spec.Sampling?.Seed ?? 0 };
        options.Epochs = 1;
        return new TrainRequest
        {
            JobId = JobIds.Warmup(round.ToString()),
            RunId = round.ToString(),
            BasePolicy = new PolicyRef { Checkpoint = policy },
            Options = options,
            DatasetArtifact = datasetArtifact,
            SubsetFraction = spec.ImplicitWarmup,
            ImplicitWarmup = true,
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
    /// <summary>The spec validated (errors name the field) and completed: run id, sampling defaults.</summary>
    RunSpec Normalize(RunSpec spec);

    /// <summary>
    /// The settings of a run whose prompts came apart from them (a streamed submission) validated and completed, with
    /// <paramref name="prompts"/> checked as they are read (once) as the run's own prompts.
    /// </summary>
    RunSpec Normalize(RunSpec settings, IEnumerable<Prompt> prompts);

    /// <summary>
    /// A normalized spec's prompts in order, <see cref="RunDefinition.PromptCount"/> of them: its own, or its demo
    /// prompts made one at a time as they are read (a million-prompt demo run is never held whole).
    /// </summary>
    IEnumerable<Prompt> Prompts(RunSpec spec);
}

namespace PrefSuite.Workflow;

/// <summary>
/// The deterministic id of one unit of work: a prompt of a run at a stage ("run/prompt/stage"), or a run-level step
/// ("run/select-dataset"). Carried as the message id, so a redelivered unit is recognised wherever it lands.
/// </summary>
/// <param name="PromptId">Empty for run-level steps. Prompt ids may contain '/'; run ids may not.</param>
public readonly record struct UnitId(string RunId, string PromptId, Stage Stage)
{
    public static UnitId ForRun(string runId, Stage stage) => new(runId, string.Empty, stage);

    public override string ToString() => PromptId.Length == 0 ? $"{RunId}/{Stage.Name()}" : $"{RunId}/{PromptId}/{Stage.Name()}";

    public static bool TryParse(string? text, out UnitId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var first = text.IndexOf('/', StringComparison.Ordinal);
        var last = text.LastIndexOf('/');
        if (first <= 0 || !StageNames.TryParse(text[(last + 1)..], out var stage))
        {
            return false;
        }

        id = new UnitId(text[..first], first == last ? string.Empty : text[(first + 1)..last], stage);
        return true;
    }
}

/// <summary>The one home of job ids and the default policy's alias.</summary>
public static class JobIds
{
    /// <summary>The job that trains the deployment's default policy (demo SFT), shared by every run that waits for it.</summary>
    public const string DefaultPolicy = "default-policy";

    /// <summary>The model store alias of the default policy.</summary>
    public const string DefaultPolicyAlias = "default";

    /// <summary>A run's preference training job.</summary>
    public static string Training(string runId) => UnitId.ForRun(runId, Stage.Train).ToString();

    /// <summary>A round's Less-is-More warm-up job ("run/warmup", "run@2/warmup").</summary>
    public static string Warmup(string runId) => UnitId.ForRun(runId, Stage.Warmup).ToString();

    /// <summary>The run (or round scope) a training or warm-up job belongs to (empty for the default policy's job).</summary>
    public static string RunOf(string jobId) =>
        UnitId.TryParse(jobId, out var id) && id.Stage is Stage.Train or Stage.Warmup && id.PromptId.Length == 0 ? id.RunId : string.Empty;
}

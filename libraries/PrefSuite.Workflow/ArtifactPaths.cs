namespace PrefSuite.Workflow;

/// <summary>Where each artifact of a run, job and model lives in the store: one place for the layout.</summary>
public static class ArtifactPaths
{
    // Paths of a run take its id or a round's scoped id ("run@2", see RunRound): the spec, ledger, snapshot, report and
    // cancellation mark are the run's; the stage units, selected units, pairs and samples are the round's.

    /// <summary>A run's folder (of its first round, and of the run-level files of every round).</summary>
    public static string RunFolder(string runId) => $"runs/{Safe(RunRound.Parse(runId).RunId)}";

    public static string Run(string runId) => $"{RunFolder(runId)}/run.pb";

    /// <summary>A run's settings (its spec without the prompts; see StoredRunSpec).</summary>
    public static string RunSpec(string runId) => $"{RunFolder(runId)}/spec.pb";

    /// <summary>A run's prompts, in order (see StoredRunSpec).</summary>
    public static string RunPrompts(string runId) => $"{RunFolder(runId)}/prompts.pb";

    /// <summary>A run's ledger: the append-only record of its changes (see RunLedger).</summary>
    public static string LedgerFolder(string runId) => $"{RunFolder(runId)}/ledger";

    public static string LedgerSegment(string runId, int segment) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{LedgerFolder(runId)}/{segment:D6}.log");

    /// <summary>Present once a run is cancelled: stages skip its units (of every round).</summary>
    public static string Cancelled(string runId) => $"{RunFolder(runId)}/cancelled";

    public static string SelectedUnitsFolder(string runId) => $"{RunRound.Parse(runId).Folder}/selected";

    public static string SelectedUnit(string runId, string promptId) => $"{SelectedUnitsFolder(runId)}/{Safe(promptId)}.pb";

    public static string Pairs(string runId) => $"{RunRound.Parse(runId).Folder}/pairs.jsonl";

    /// <summary>A warm-up round's first selection: every candidate pair, which the warm-up trains on.</summary>
    public static string Candidates(string runId) => $"{RunRound.Parse(runId).Folder}/candidates.jsonl";

    public static string Samples(string runId) => $"{RunRound.Parse(runId).Folder}/samples.jsonl";

    public static string Job(string jobId) => $"jobs/{Safe(jobId)}.pb";

    /// <summary>A queued job's request, kept so a restarted training service resumes it.</summary>
    public static string JobRequest(string jobId) => $"jobs/{Safe(jobId)}.request.pb";

    /// <summary>A job's training curve: one JSON object per step.</summary>
    public static string TrainingHistory(string jobId) => $"jobs/{Safe(jobId)}-history.jsonl";

    /// <summary>A run's units after a stage ("sampled", "scored", "denoised"), one file per prompt.</summary>
    public static string StageUnit(string runId, string stage, string promptId) => $"{RunRound.Parse(runId).Folder}/{stage}/{Safe(promptId)}.pb";

    public static string Report(string runId) => $"{RunFolder(runId)}/report";

    public static string PoliciesFolder => "models/policies";

    public static string Policy(string version) => $"{PoliciesFolder}/{Safe(version)}";

    public static string PolicyAlias(string alias) => $"models/aliases/{Safe(alias)}";

    public static string ReferenceCache => "cache/reference-logprobs";

    /// <summary>
    /// Ids become file names: anything but letters, digits, '-', '_' and '.' is replaced, and a replaced id gets a hash
    /// suffix so two ids never share a file.
    /// </summary>
    public static string Safe(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var chars = id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        var safe = new string(chars);
        return safe == id && safe is not ("." or "..")
            ? safe
            : $"{safe.Trim('.')}-{Science.Randomness.StableHash.Fnv1a64(id):x16}";
    }
}

namespace PrefSuite.Stages.Storage;

/// <summary>Where each artifact lives in the store: one place for the layout.</summary>
public static class ArtifactPaths
{
    public static string Run(string runId) => $"runs/{Safe(runId)}/run.pb";

    public static string RunSpec(string runId) => $"runs/{Safe(runId)}/spec.pb";

    public static string SelectedUnitsFolder(string runId) => $"runs/{Safe(runId)}/selected";

    public static string SelectedUnit(string runId, string promptId) => $"{SelectedUnitsFolder(runId)}/{Safe(promptId)}.pb";

    public static string Pairs(string runId) => $"runs/{Safe(runId)}/pairs.jsonl";

    public static string Samples(string runId) => $"runs/{Safe(runId)}/samples.jsonl";

    public static string Job(string jobId) => $"jobs/{Safe(jobId)}.pb";

    /// <summary>A job's training curve: one JSON object per step.</summary>
    public static string TrainingHistory(string jobId) => $"jobs/{Safe(jobId)}-history.jsonl";

    /// <summary>A run's units after a stage ("sampled", "scored", "denoised"), one file per prompt.</summary>
    public static string StageUnit(string runId, string stage, string promptId) => $"runs/{Safe(runId)}/{stage}/{Safe(promptId)}.pb";

    public static string Report(string runId) => $"runs/{Safe(runId)}/report";

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

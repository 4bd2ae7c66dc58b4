namespace PrefSuite.Stages.Runs;

/// <summary>What the coordinator remembers of a run beyond the Run message: which prompts finished or failed each stage.</summary>
public sealed class RunProgress
{
    public Dictionary<string, HashSet<string>> Done { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Prompt ids that failed for good, with their stage.</summary>
    public Dictionary<string, string> Failed { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Sampling waits for the default policy to be trained.</summary>
    public bool WaitingForPolicy { get; set; }

    public bool DatasetRequested { get; set; }

    public bool TrainingRequested { get; set; }

    /// <summary>Marks a prompt done at a stage; false when it was already (a redelivery).</summary>
    public bool MarkDone(string stage, string promptId)
    {
        if (!Done.TryGetValue(stage, out var set))
        {
            Done[stage] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        return set.Add(promptId);
    }

    public int Count(string stage) => Done.TryGetValue(stage, out var set) ? set.Count : 0;
}

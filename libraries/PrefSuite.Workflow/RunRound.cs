namespace PrefSuite.Workflow;

/// <summary>
/// One round of a run: the scope of its units, jobs and artifacts. Round 1 is the run itself ("run", the layout of a
/// run of one round); a later round r is "run@r" wherever a run id travels (the run_id of its messages, its unit and
/// job ids), so the stages address a round's work without knowing about rounds, and its artifacts live under
/// <c>runs/RUN/rounds/r/</c>. Run ids may not contain '@', so a round's scope never names another run.
/// </summary>
public readonly record struct RunRound(string RunId, int Round)
{
    public const char Separator = '@';

    /// <summary>The first round of a run (its scope is the run id itself).</summary>
    public static RunRound First(string runId) => new(runId, 1);

    /// <summary>The round a scoped run id names; a plain run id is its first round.</summary>
    public static RunRound Parse(string scoped)
    {
        ArgumentNullException.ThrowIfNull(scoped);
        var at = scoped.LastIndexOf(Separator);
        return at > 0 && int.TryParse(scoped.AsSpan(at + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var round) && round >= 2
            ? new RunRound(scoped[..at], round)
            : new RunRound(scoped, 1);
    }

    /// <summary>The run id of this round's messages: "run" for round 1, "run@r" after.</summary>
    public override string ToString() => Round <= 1 ? RunId : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{RunId}{Separator}{Round}");

    /// <summary>The round's folder in the artifact store: the run's folder for round 1, <c>runs/RUN/rounds/r</c> after.</summary>
    public string Folder => Round <= 1
        ? ArtifactPaths.RunFolder(RunId)
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ArtifactPaths.RunFolder(RunId)}/rounds/{Round}");
}

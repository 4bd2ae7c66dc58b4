using PrefSuite.Contracts.V1;

namespace PrefSuite.Workflow;

/// <summary>The events stages send the workflow: a unit finished or failed a stage, or a job changed.</summary>
public static class StageEvents
{
    public static Envelope Done(string runId, Stage stage, string promptId) =>
        Of(new StageEvent { RunId = runId, Stage = stage.Name(), PromptId = promptId });

    public static Envelope Failed(UnitId unit, string error) =>
        Of(new StageEvent { RunId = unit.RunId, Stage = unit.Stage.Name(), PromptId = unit.PromptId, Failed = true, Error = error });

    /// <summary>The failure event of a message given up, read from its unit id; null when the id names no run.</summary>
    public static Envelope? UnitFailed(string unitId, Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (!UnitId.TryParse(unitId, out var unit))
        {
            return null;
        }

        if (unit.Stage is Stage.Train or Stage.Warmup)
        {
            return Job(unit.RunId, new TrainJob { JobId = unitId, RunId = unit.RunId, State = JobState.Failed, Error = failure.Message });
        }

        return Failed(unit, failure.Message);
    }

    /// <summary>A training job's state (progress, or its end).</summary>
    public static Envelope Job(string runId, TrainJob job, TrainProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Of(new StageEvent { RunId = runId, Stage = Stage.Train.Name(), Job = job, Progress = progress });
    }

    public static Envelope Of(StageEvent stageEvent)
    {
        ArgumentNullException.ThrowIfNull(stageEvent);
        return new Envelope(Topic.Events, stageEvent, Id(stageEvent));
    }

    /// <summary>An event's id: its unit and outcome ("run/prompt/stage/done"; a job's state and step for training).</summary>
    public static string Id(StageEvent stageEvent)
    {
        ArgumentNullException.ThrowIfNull(stageEvent);
        var stage = StageNames.TryParse(stageEvent.Stage, out var parsed) ? parsed : Stage.Sample;
        var unit = new UnitId(stageEvent.RunId, stageEvent.PromptId, stage).ToString();
        return stageEvent.Job is { } job
            ? $"{job.JobId}/{job.State}/{job.Step}"
            : $"{unit}/{(stageEvent.Failed ? "failed" : "done")}";
    }
}

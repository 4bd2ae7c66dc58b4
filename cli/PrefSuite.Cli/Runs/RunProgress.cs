using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;

namespace PrefSuite.Cli.Runs;

/// <summary>A run's events as the progress display shows them, the same for a run here and on the stack.</summary>
internal static class RunProgress
{
    public static void Report(RunEvent change, IProgress<PipelineProgress> progress)
    {
        foreach (var stage in change.Run.Stages.Where(s => s.Total > 0))
        {
            progress.Report(new PipelineProgress(stage.Stage, stage.Done, stage.Total, string.Empty));
        }

        if (change.TrainProgress is { } step)
        {
            var name = step.JobId == JobIds.DefaultPolicy ? "policy" : Stage.Train.Name();
            progress.Report(new PipelineProgress(name, step.Step, step.TotalSteps, name == "policy" ? "training the default policy (demo SFT)" : string.Empty, step));
        }

        if (change.Message.Length > 0 && change.Message != "current state")
        {
            progress.Report(new PipelineProgress("run", 0, 0, change.Message));
        }
    }
}

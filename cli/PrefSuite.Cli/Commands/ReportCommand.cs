using System.CommandLine;
using PrefSuite.Reports;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Cli.Commands;

/// <summary><c>prefsuite report</c>: (re)writes a run's HTML report and PNG plots from its artifacts.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runId = new Option<string>("--run") { Description = "The run id.", Required = true };
        var runsDir = new Option<string>("--runs-dir") { Description = "Folder of runs (default prefsuite-runs).", DefaultValueFactory = _ => "prefsuite-runs" };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Where to write the report (default: the run's report folder)." };
        var command = new Command("report", "Write a run's report: reward distributions with the pair positions, margins, the funnel, training curves, before/after.")
        {
            runId, runsDir, output,
        };
        command.SetStageAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var store = new FileArtifactStore(parse.GetValue(runsDir)!);
            var id = parse.GetValue(runId)!;
            var folder = parse.GetValue(output)?.FullName ?? store.LocalPath(ArtifactPaths.Report(id));
            var data = await RunReportReader.ReadAsync(store, id, cancellationToken: cancellationToken).ConfigureAwait(false);
            var files = RunReportWriter.Write(folder, data);
            await stdout.WriteLineAsync($"report: {Path.Combine(folder, "index.html")} ({files.Count - 1} plots)").ConfigureAwait(false);
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using PrefSuite.Cli.Runs;
using PrefSuite.Contracts.V1;
using PrefSuite.Reports;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Cli.Commands;

/// <summary>
/// <c>prefsuite run</c>: the whole pipeline — sample N per prompt → score → denoise → select → train → evaluate — in
/// this process (default) or on a running stack (<c>--stack</c>), then a report. <c>prefsuite demo</c> is the same
/// with the demo's settings and nothing to configure.
/// </summary>
internal static class RunCommand
{
    public static Command Create(string name = "run")
    {
        var demo = name == "demo";
        var command = new Command(name, demo
            ? "Run the built-in demo end to end (no servers, a few minutes on 2 cores) and write its report."
            : "Run the pipeline: sample → score → denoise → select → train → evaluate, then write a report.");
        var config = new Option<FileInfo?>("--config", "-c") { Description = "A run config (JSON or YAML); flags override it." };
        var stack = new Option<string?>("--stack") { Description = "Submit to a running stack's PipelineService at this address (e.g. http://localhost:5100) instead of running here." };
        var apiKey = new Option<string?>("--api-key") { Description = "API key for --stack." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the summary." };
        var json = new Option<bool>("--json") { Description = "Print progress as JSON lines." };
        var noReport = new Option<bool>("--no-report") { Description = "Skip the HTML/PNG report." };
        var flags = RunFlags.All();
        command.Options.Add(config);
        command.Options.Add(stack);
        command.Options.Add(apiKey);
        command.Options.Add(quiet);
        command.Options.Add(json);
        command.Options.Add(noReport);
        foreach (var flag in flags)
        {
            command.Options.Add(flag.Option);
        }

        command.SetStageAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var settings = parse.GetValue(config) is { } file ? RunConfig.Load(file.FullName) : new RunConfig();
            if (demo && parse.GetValue(config) is null)
            {
                settings = settings with { RunId = "demo" };
            }

            foreach (var flag in flags)
            {
                settings = flag.Apply(parse, settings);
            }

            settings.Validate("options");
            if (parse.GetValue(stack) is not null && settings.SamplerOptions().IsOpenAi)
            {
                throw new OptionException("--sampler openai samples from this process; a run on --stack samples with the stack's sampling service (configure Sampling:Backend there)");
            }

            var mode = parse.GetValue(json) ? ProgressMode.JsonLines : parse.GetValue(quiet) ? ProgressMode.Quiet : ProgressMode.Auto;
            var display = new ProgressDisplay(stdout, mode);
            var address = parse.GetValue(stack);
            var run = await display.RunAsync(progress => address is null
                ? EmbeddedRunner.RunAsync(settings, progress, cancellationToken)
                : StackRunner.RunAsync(settings.ToStackSpec(), settings.FilePromptsAsync(cancellationToken), address, parse.GetValue(apiKey), progress, cancellationToken)).ConfigureAwait(false);

            string? report = null;
            var store = new FileArtifactStore(settings.RunsDir);
            if (!parse.GetValue(noReport) && await store.ExistsAsync(ArtifactPaths.Run(run.RunId), cancellationToken).ConfigureAwait(false))
            {
                report = store.LocalPath(ArtifactPaths.Report(run.RunId));
                RunReportWriter.Write(report, await RunReportReader.ReadAsync(store, run.RunId, cancellationToken: cancellationToken).ConfigureAwait(false));
            }

            await stdout.WriteLineAsync(Summary(run, report)).ConfigureAwait(false);
            if (run.State != RunState.Succeeded)
            {
                throw new InvalidOperationException($"run {run.RunId} ended {run.State}: {run.Error}");
            }
        });
        return command;
    }

    internal static string Summary(Run run, string? report)
    {
        static string F(double v) => double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";
        var s = run.Selection ?? new SelectionSummary();
        var lines = new List<string>
        {
            $"run {run.RunId}: {run.State.ToString().ToUpperInvariant()}",
            $"  prompts {s.Prompts} → candidate pairs {s.CandidatePairs} → kept {s.Kept} (sft {s.RoutedToSft}); mean chosen reward {F(s.MeanChosenReward)}, rejected {F(s.MeanRejectedReward)}",
        };
        if (run.Training is { } job)
        {
            lines.Add($"  trained {job.TotalSteps} steps → policy {job.CheckpointVersion}");
            if (double.IsFinite(job.RewardBefore))
            {
                lines.Add($"  held-out reward {F(job.RewardBefore)} → {F(job.RewardAfter)}, exact match {F(job.SuccessBefore)} → {F(job.SuccessAfter)}");
            }

            if (job.HeldOutPairs > 0)
            {
                lines.Add($"  {job.HeldOutPairs} held-out pairs: implicit-reward accuracy {F(job.HeldOutAccuracy)}, mean implicit margin {F(job.HeldOutMargin)}");
            }
        }

        foreach (var round in run.Rounds)
        {
            var warmup = round.WarmupCheckpoint.Length > 0 ? $"; implicit rewards from warm-up {round.WarmupCheckpoint}" : string.Empty;
            lines.Add($"  round {round.Round}: sampled {round.Prompts} prompts with {(round.Policy.Length > 0 ? round.Policy : "–")} → {round.Pairs} pairs; mean chosen reward {F(round.MeanChosenReward)}, rejected {F(round.MeanRejectedReward)}; held-out implicit accuracy {F(round.HeldOutAccuracy)}; training loss {F(round.TrainingLoss)} → policy {(round.CheckpointVersion.Length > 0 ? round.CheckpointVersion : "–")}{warmup}");
        }

        if (run.DeadLetters.Count > 0)
        {
            lines.Add($"  {run.DeadLetters.Count} units failed: {string.Join("; ", run.DeadLetters.Take(3).Select(d => $"{d.UnitId}: {d.Error}"))}");
        }

        if (report is not null)
        {
            lines.Add($"  report: {Path.Combine(report, "index.html")}");
        }

        return string.Join(Environment.NewLine, lines);
    }
}

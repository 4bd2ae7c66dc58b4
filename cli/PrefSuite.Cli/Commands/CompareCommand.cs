using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using PrefSuite.Cli.Runs;
using PrefSuite.Science.Demo;
using PrefSuite.Reports;
using PrefSuite.Stages.Comparison;
using PrefSuite.Stages.Scoring;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Cli.Commands;

/// <summary><c>prefsuite compare</c>: the same prompts and samples through several constructions, each trained briefly; a table and plots.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var runsDir = new Option<string>("--runs-dir") { Description = "Folder of runs and models.", DefaultValueFactory = _ => "prefsuite-runs" };
        var prompts = new Option<int>("--prompts") { Description = "Demo prompts to sample.", DefaultValueFactory = _ => 300 };
        var grid = new Option<string>("--samples") { Description = "The N axis, comma-separated.", DefaultValueFactory = _ => "4,8,16,32" };
        var variants = new Option<string?>("--variants") { Description = "Comma-separated variants (default: sweet-spot, max-min, max-min-of-5-random, top-10%-margin, sweet-spot+routing, sweet-spot+rdpo)." };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs per variant.", DefaultValueFactory = _ => 3 };
        var evaluation = new Option<int>("--evaluation-prompts") { Description = "Held-out prompts.", DefaultValueFactory = _ => 200 };
        var noise = new Option<double>("--reward-noise") { Description = "Noise σ of the simulated reward model.", DefaultValueFactory = _ => 0.1 };
        var flip = new Option<double>("--reward-flip") { Description = "Share of prompts with a reversed simulated ranking.", DefaultValueFactory = _ => 0.0 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 1.0 };
        var sftSteps = new Option<int>("--sft-steps") { Description = "SFT steps of the default policy when there is none yet.", DefaultValueFactory = _ => 1500 };
        var policy = new Option<string?>("--policy") { Description = "Start from this policy instead of the default one." };
        var repeats = new Option<int>("--repeats") { Description = "Runs of the whole grid with shifted seeds; cells show mean ± standard error (1: a quick look, no error bars).", DefaultValueFactory = _ => 3 };
        var seed = new Option<ulong>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 9 };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Report folder (default: RUNS/comparisons/<time>)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the table." };
        var command = new Command("compare", "Compare pair constructions (and N) on the same prompts: train each briefly, evaluate on held-out prompts.")
        {
            runsDir, prompts, grid, variants, epochs, evaluation, noise, flip, temperature, sftSteps, policy, repeats, seed, output, quiet,
        };
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            TorchSharp.torch.set_num_threads(1);
            var store = new FileArtifactStore(parse.GetValue(runsDir)!);
            using var policies = SamplerSettings.Policies(store, [parse.GetValue(policy)]);
            var display = new ProgressDisplay(stdout, parse.GetValue(quiet) ? ProgressMode.Quiet : ProgressMode.Auto);
            var seedValue = parse.GetValue(seed);
            var sampleGrid = CommandRunner.ParseOption("--samples", parse.GetValue(grid)!, t => t.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).Distinct().Order().ToArray());
            // Checked before the default policy is trained, so a typo costs nothing.
            RequireAtLeast("--samples (every N)", sampleGrid.Min(), 2);
            RequireAtLeast("--prompts", parse.GetValue(prompts), 1);
            RequireAtLeast("--epochs", parse.GetValue(epochs), 1);
            RequireAtLeast("--evaluation-prompts", parse.GetValue(evaluation), 1);
            RequireAtLeast("--repeats", parse.GetValue(repeats), 1);
            var chosenVariants = parse.GetValue(variants) is { } list
                ? CommandRunner.ParseOption("--variants", list, t => t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => ComparisonVariant.Parse(v, seedValue)).ToArray())
                : ComparisonVariant.Defaults(seedValue);
            var (baseline, results) = await display.RunAsync(async progress =>
            {
                var start = (parse.GetValue(policy) is { } named ? SamplerSettings.ResolvePolicy(named) : null) ?? await DefaultPolicyAsync(store, policies, parse.GetValue(sftSteps), progress, cancellationToken).ConfigureAwait(false);
                var scorer = await ScorerCatalog.CreateAsync(string.Create(CultureInfo.InvariantCulture, $"simulated:sorting?noise={parse.GetValue(noise)}&flip={parse.GetValue(flip)}&seed=3"), policies, NullLogger.Instance, cancellationToken).ConfigureAwait(false);
                return await new StrategyComparison(policies).RunAsync(new ComparisonSettings
                {
                    Policy = start,
                    Prompts = SortingTask.Prompts(parse.GetValue(prompts), 1234),
                    SampleGrid = sampleGrid,
                    Variants = chosenVariants,
                    Scorer = scorer,
                    Training = new Models.Training.PreferenceTrainingOptions { Epochs = parse.GetValue(epochs), Seed = seedValue },
                    EvaluationPrompts = parse.GetValue(evaluation),
                    Repeats = parse.GetValue(repeats),
                    Sampling = new Contracts.V1.SamplingParams { Temperature = parse.GetValue(temperature), MaxNewTokens = 10, Seed = seedValue },
                }, progress, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);

            var folder = parse.GetValue(output)?.FullName ?? store.LocalPath($"comparisons/{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            ComparisonReportWriter.Write(folder, baseline, results);
            await stdout.WriteLineAsync(ComparisonReportWriter.Table(baseline, results)).ConfigureAwait(false);
            await stdout.WriteLineAsync($"report: {Path.Combine(folder, "index.html")}").ConfigureAwait(false);
        });
        return command;
    }

    private static void RequireAtLeast(string option, int value, int minimum)
    {
        if (value < minimum)
        {
            throw new OptionException($"{option} must be at least {minimum}, not {value}.");
        }
    }

    /// <summary>The runs folder's default policy, trained (demo SFT) the first time, as `prefsuite run` does.</summary>
    private static async Task<string> DefaultPolicyAsync(IArtifactStore store, PolicyStore policies, int steps, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
    {
        if (await policies.GetAliasAsync(JobIds.DefaultPolicyAlias, cancellationToken).ConfigureAwait(false) is { } version)
        {
            return version;
        }

        var request = new Contracts.V1.TrainRequest { JobId = JobIds.DefaultPolicy, DemoSft = true, Options = new Contracts.V1.TrainOptions { Steps = steps } };
        var job = await Stages.Training.TrainingJobRunner.RunAsync(request, policies, store, new TrainingRelay(progress), cancellationToken).ConfigureAwait(false);
        await policies.SetAliasAsync(JobIds.DefaultPolicyAlias, job.CheckpointVersion, cancellationToken).ConfigureAwait(false);
        return job.CheckpointVersion;
    }

    private sealed class TrainingRelay(IProgress<PipelineProgress> progress) : IProgress<Contracts.V1.TrainProgress>
    {
        public void Report(Contracts.V1.TrainProgress value) => progress.Report(new PipelineProgress("policy", value.Step, value.TotalSteps, "training the default policy (demo SFT)", value));
    }
}

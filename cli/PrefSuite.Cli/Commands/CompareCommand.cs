using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using PrefSuite.Cli.Runs;
using PrefSuite.Models.Policy;
using PrefSuite.Models.Training;
using PrefSuite.Reports;
using PrefSuite.Science.Demo;
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
        var task = new Option<string>("--task") { Description = "Demo task: sorting (4–8 digits) or sorting-long (8–12 digits, the harder variant).", DefaultValueFactory = _ => "sorting" };
        var prompts = new Option<int>("--prompts") { Description = "Demo prompts to sample.", DefaultValueFactory = _ => 300 };
        var grid = new Option<string>("--samples") { Description = "The N axis, comma-separated.", DefaultValueFactory = _ => "4,8,16,32" };
        var variants = new Option<string?>("--variants") { Description = "Comma-separated variants, the baseline first (default: sweet-spot, max-min, max-min-of-5-random, top-10%-margin, routing+curriculum, routing, random-sft, curriculum, rdpo:0.02, rdpo:0.1, rdpo:0.5; also random, rdpo:B1, position:CHOSEN:REJECTED, NAME@same-epochs)." };
        var baselineName = new Option<string?>("--baseline") { Description = "The variant the others are compared with (default: the first)." };
        var epochs = new Option<int>("--epochs") { Description = "The baseline's training epochs; variants with fewer pairs train more epochs for the same number of steps.", DefaultValueFactory = _ => 3 };
        var evaluation = new Option<int>("--evaluation-prompts") { Description = "Held-out prompts.", DefaultValueFactory = _ => 200 };
        var noise = new Option<double>("--reward-noise") { Description = "Noise σ of the simulated reward model.", DefaultValueFactory = _ => 0.1 };
        var flip = new Option<double>("--reward-flip") { Description = "Share of prompts with a reversed simulated ranking.", DefaultValueFactory = _ => 0.0 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 1.0 };
        var sftSteps = new Option<int>("--sft-steps") { Description = "SFT steps of each repeat's starting policy.", DefaultValueFactory = _ => 1500 };
        var sftSeed = new Option<ulong>("--sft-seed") { Description = "Repeat r starts from a policy SFT-trained with seed SFT_SEED + r (trained once, then reused from the runs folder).", DefaultValueFactory = _ => 0 };
        var policy = new Option<string?>("--policy") { Description = "Start every repeat from this policy instead (the starting policy then does not vary across repeats)." };
        var repeats = new Option<int>("--repeats") { Description = "Repeats of the whole grid, each with its own samples, starting policy and evaluation seed; intervals are over repeats (1: a quick look, no intervals).", DefaultValueFactory = _ => 5 };
        var seed = new Option<ulong>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 9 };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Report folder (default: RUNS/comparisons/<time>)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the report." };
        var reanalyze = new Option<DirectoryInfo?>("--reanalyze") { Description = "Train nothing: read a comparison's report.json from this folder and write its report again (e.g. with another --baseline) to --output (default: the same folder)." };
        var command = new Command("compare", "Compare pair constructions (and N) as a paired experiment: the same samples, starting policy and evaluation for every variant of a repeat; differences from a baseline with 95% intervals.")
        {
            runsDir, task, prompts, grid, variants, baselineName, epochs, evaluation, noise, flip, temperature, sftSteps, sftSeed, policy, repeats, seed, output, quiet, reanalyze,
        };
        command.SetStageAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            Models.Native.TorchThreads.Set(1);
            if (parse.GetValue(reanalyze) is { } previous)
            {
                var report = Path.Combine(previous.FullName, "report.json");
                var read = CommandRunner.ParseOption("--reanalyze", report, path => File.Exists(path) ? ComparisonReportWriter.Read(path, parse.GetValue(baselineName)) : throw new FormatException($"{path} does not exist."));
                var target = parse.GetValue(output)?.FullName ?? previous.FullName;
                ComparisonReportWriter.Write(target, read);
                await stdout.WriteLineAsync(ComparisonReportWriter.Table(read)).ConfigureAwait(false);
                await stdout.WriteLineAsync($"report: {Path.Combine(target, "report.md")} (and report.json, index.html)").ConfigureAwait(false);
                return;
            }

            var store = new FileArtifactStore(parse.GetValue(runsDir)!);
            using var policies = SamplerSettings.Policies(store, [parse.GetValue(policy)]);
            var display = new ProgressDisplay(stdout, parse.GetValue(quiet) ? ProgressMode.Quiet : ProgressMode.Auto);
            var seedValue = parse.GetValue(seed);
            var shape = CommandRunner.ParseOption("--task", parse.GetValue(task)!, SortingTaskShape.Parse);
            var sampleGrid = CommandRunner.ParseOption("--samples", parse.GetValue(grid)!, t => t.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).Distinct().Order().ToArray());
            // Checked before any starting policy is trained, so a typo costs nothing.
            RequireAtLeast("--samples (every N)", sampleGrid.Min(), 2);
            RequireAtLeast("--prompts", parse.GetValue(prompts), 1);
            RequireAtLeast("--epochs", parse.GetValue(epochs), 1);
            RequireAtLeast("--evaluation-prompts", parse.GetValue(evaluation), 1);
            RequireAtLeast("--repeats", parse.GetValue(repeats), 1);
            RequireAtLeast("--sft-steps", parse.GetValue(sftSteps), 1);
            var chosenVariants = parse.GetValue(variants) is { } list
                ? CommandRunner.ParseOption("--variants", list, t => t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => ComparisonVariant.Parse(v, seedValue)).ToArray())
                : ComparisonVariant.Defaults(seedValue);
            if (chosenVariants.Count == 0 || chosenVariants.Select(v => v.Name).Distinct().Count() != chosenVariants.Count)
            {
                throw new OptionException("--variants must name at least one variant, each once.");
            }

            if (parse.GetValue(baselineName) is { } named && chosenVariants.All(v => v.Name != named))
            {
                throw new OptionException($"--baseline '{named}' is not one of the variants ({string.Join(", ", chosenVariants.Select(v => v.Name))}).");
            }

            var repeatCount = parse.GetValue(repeats);
            var outcome = await display.RunAsync(async progress =>
            {
                IReadOnlyList<string> starts = parse.GetValue(policy) is { } given
                    ? [SamplerSettings.ResolvePolicy(given)]
                    : await StartingPoliciesAsync(policies, shape, parse.GetValue(sftSteps), parse.GetValue(sftSeed), repeatCount, progress, cancellationToken).ConfigureAwait(false);
                var scorer = await ScorerCatalog.CreateAsync(string.Create(CultureInfo.InvariantCulture, $"simulated:sorting?noise={parse.GetValue(noise)}&flip={parse.GetValue(flip)}&seed=3"), policies, NullLogger.Instance, cancellationToken).ConfigureAwait(false);
                return await new StrategyComparison(policies).RunAsync(new ComparisonSettings
                {
                    Policies = starts,
                    Task = shape,
                    Prompts = SortingTask.Prompts(parse.GetValue(prompts), 1234, shape),
                    SampleGrid = sampleGrid,
                    Variants = chosenVariants,
                    Baseline = parse.GetValue(baselineName),
                    Scorer = scorer,
                    Training = new PreferenceTrainingOptions { Epochs = parse.GetValue(epochs), Seed = seedValue },
                    EvaluationPrompts = parse.GetValue(evaluation),
                    Repeats = repeatCount,
                    Sampling = new Contracts.V1.SamplingParams { Temperature = parse.GetValue(temperature), MaxNewTokens = shape.MaxNewTokens, Seed = seedValue },
                }, progress, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);

            var folder = parse.GetValue(output)?.FullName ?? store.LocalPath($"comparisons/{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            ComparisonReportWriter.Write(folder, outcome);
            await stdout.WriteLineAsync(ComparisonReportWriter.Table(outcome)).ConfigureAwait(false);
            await stdout.WriteLineAsync($"report: {Path.Combine(folder, "report.md")} (and report.json, index.html)").ConfigureAwait(false);
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

    /// <summary>
    /// One SFT-trained starting policy per repeat (seed SFT_SEED + r, the task's noisy demonstrations), registered under
    /// an alias that names task, steps and seed, so a later comparison reuses it instead of training it again.
    /// </summary>
    private static async Task<IReadOnlyList<string>> StartingPoliciesAsync(PolicyStore policies, SortingTaskShape shape, int steps, ulong firstSeed, int count, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
    {
        var versions = new List<string>();
        for (var r = 0; r < count; r++)
        {
            var seed = firstSeed + (ulong)r;
            var alias = string.Create(CultureInfo.InvariantCulture, $"compare-{shape.Name}-sft{steps}-seed{seed}");
            if (await policies.GetAliasAsync(alias, cancellationToken).ConfigureAwait(false) is { } version)
            {
                versions.Add(version);
                continue;
            }

            using var model = PolicyModel.Create(new PolicyConfig(), (long)seed);
            var relay = new SftRelay(progress, $"SFT of starting policy {r + 1}/{count} ({shape.Name}, seed {seed})");
            await Task.Run(() => SftTrainer.Train(model, new NoisySortingSource(seed + 1, shape), new SftOptions { Steps = steps, Seed = seed }, relay, cancellationToken), cancellationToken).ConfigureAwait(false);
            version = await policies.RegisterAsync(model, SftTrainer.Stage, cancellationToken: cancellationToken).ConfigureAwait(false);
            await policies.SetAliasAsync(alias, version, cancellationToken).ConfigureAwait(false);
            versions.Add(version);
        }

        return versions;
    }

    private sealed class SftRelay(IProgress<PipelineProgress> progress, string message) : IProgress<StepMetrics>
    {
        public void Report(StepMetrics value) => progress.Report(new PipelineProgress("policy", value.Step, value.TotalSteps, message));
    }
}

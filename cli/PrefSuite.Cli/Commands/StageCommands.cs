using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Models.Demo;
using PrefSuite.Stages.Caching;
using PrefSuite.Stages.Mapping;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Scoring;
using PrefSuite.Stages.Storage;
using PrefSuite.Stages.Training;

namespace PrefSuite.Cli.Commands;

/// <summary>
/// The stages one at a time over files: <c>prefsuite sample</c> → <c>prefsuite score</c> → <c>prefsuite select</c> →
/// <c>prefsuite train</c>, with the same handlers the pipeline uses.
/// </summary>
internal static class StageCommands
{
    private static Option<string> RunsDir() => new("--runs-dir") { Description = "Folder of models and caches.", DefaultValueFactory = _ => "prefsuite-runs" };

    public static Command Sample()
    {
        var runsDir = RunsDir();
        var policy = new Option<string>("--policy") { Description = "Policy version, alias or checkpoint folder.", DefaultValueFactory = _ => "default" };
        var promptsFile = new Option<FileInfo?>("--prompts-file") { Description = "Prompts, JSONL or Parquet: {\"prompt_id\", \"prompt\"} rows, TRL prompt-only rows (string or messages), or any file with a prompt (or instruction) column." };
        var prompts = new Option<int>("--prompts") { Description = "Demo prompts to generate when no file is given.", DefaultValueFactory = _ => 100 };
        var samples = new Option<int>("--samples", "-n") { Description = "Responses per prompt.", DefaultValueFactory = _ => 16 };
        var temperature = new Option<double>("--temperature") { DefaultValueFactory = _ => 1.0 };
        var topP = new Option<double>("--top-p") { DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 0 };
        var maxNew = new Option<int>("--max-new-tokens") { DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Sampled prompts (PrefSuite JSONL, no rewards yet).", Required = true };
        var command = new Command("sample", "Sample N responses per prompt from the built-in policy.") { runsDir, policy, promptsFile, prompts, samples, temperature, topP, topK, maxNew, seed, output };
        var promptColumns = new DatasetFlags().AddTo(command, promptsOnly: true);
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            using var policies = new PolicyStore(new FileArtifactStore(parse.GetValue(runsDir)!));
            var notes = new FieldNotes();
            var list = parse.GetValue(promptsFile) is { } file
                ? (await PromptReader.ReadAllAsync(file.FullName, promptColumns.Prompts(parse, notes), cancellationToken).ConfigureAwait(false)).Select(p => PromptMapping.ToProto(p.PromptId, p.Prompt)).ToArray()
                : SortingTask.Prompts(parse.GetValue(prompts), 1234).Select(p => new Prompt { PromptId = p.Id, Text = p.Text }).ToArray();
            await DatasetFlags.NoteAsync(stderr, notes, parse.GetValue(promptsFile)?.FullName ?? string.Empty).ConfigureAwait(false);
            var parameters = SamplingStage.Validate(list, new SamplingParams
            {
                N = parse.GetValue(samples), Temperature = parse.GetValue(temperature), TopP = parse.GetValue(topP), TopK = parse.GetValue(topK),
                MaxNewTokens = parse.GetValue(maxNew), Seed = parse.GetValue(seed),
            }, RunSpecValidation.MaxPrompts, "per file");
            var (responses, version) = await new BuiltInSampler(policies, parse.GetValue(policy)!).SampleAsync(list, parameters, null, cancellationToken).ConfigureAwait(false);
            var rows = list.Select((p, i) => new ScoredPrompt(p.PromptId, PromptMapping.ToText(p), responses[i].Select(r => new ScoredResponse(r.Text, double.NaN, Logprob: r.Logprob)).ToArray())).ToArray();
            await ScoredPromptWriter.WriteAsync(parse.GetValue(output)!.FullName, rows, cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync($"sampled {rows.Length} prompts × {parameters.N} with policy {version}").ConfigureAwait(false);
        });
        return command;
    }

    public static Command Score()
    {
        var runsDir = RunsDir();
        var input = new Option<FileInfo>("--input", "-i") { Description = "Sampled (or scored) prompts.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Scored prompts.", Required = true };
        var scorers = new Option<string[]>("--scorer") { Description = "Scorer spec, repeatable: onnx:FOLDER, programmatic:NAME, simulated:sorting?noise=0.1, implicit:POLICY,REFERENCE[,BETA].", Required = true };
        var command = new Command("score", "Score every response; the reward is the mean of the scorers, each scorer's heads are kept.") { runsDir, input, output, scorers };
        var columns = new DatasetFlags().AddTo(command);
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            using var policies = new PolicyStore(new FileArtifactStore(parse.GetValue(runsDir)!));
            var built = new List<Models.Rewards.IRewardScorer>();
            foreach (var spec in parse.GetValue(scorers)!)
            {
                built.Add(await ScorerCatalog.CreateAsync(spec, policies, NullLogger.Instance, cancellationToken).ConfigureAwait(false));
            }

            var stage = new ScoringStage(built, new MemoryRewardCache(), built.Select(s => s.Id).ToArray());
            var source = parse.GetValue(input)!.FullName;
            var notes = new FieldNotes();
            var read = new ScoredReadOptions { RequireRewards = false, Mapping = columns.Mapping(parse), Strict = columns.Strict(parse), Notes = notes };
            long responses = 0;
            async IAsyncEnumerable<ScoredPrompt> Scored()
            {
                await foreach (var prompt in ScoredPromptReader.ReadAsync(source, read, cancellationToken).ConfigureAwait(false))
                {
                    var unit = new PromptUnit { RunId = "cli", Prompt = PromptMapping.ToProto(prompt.PromptId, prompt.Prompt) };
                    unit.Responses.Add(prompt.Responses.Select((r, i) => new Response { Text = r.Text, SampleIndex = i, Logprob = r.Logprob ?? 0 }));
                    var result = await stage.ScoreUnitAsync(unit, cancellationToken: cancellationToken).ConfigureAwait(false);
                    responses += result.Responses.Count;
                    yield return prompt with
                    {
                        Responses = result.Responses.Select((r, i) => new ScoredResponse(
                            r.Text, r.Reward.Reward, r.RewardsByScorer.SelectMany(v => v.Heads.Select(h => (Key: built.Count > 1 ? $"{v.ScorerId}/{h.Key}" : h.Key, h.Value))).ToDictionary(h => h.Key, h => h.Value),
                            r.HasImplicitReward ? r.ImplicitReward : null, prompt.Responses[i].Logprob)).ToArray(),
                    };
                }
            }

            var prompts = await ScoredPromptWriter.WriteAsync(parse.GetValue(output)!.FullName, Scored(), cancellationToken).ConfigureAwait(false);
            await DatasetFlags.NoteAsync(stderr, notes, source).ConfigureAwait(false);
            await stderr.WriteLineAsync($"scored {responses} responses of {prompts} prompts with {string.Join(", ", built.Select(s => s.Id))}").ConfigureAwait(false);
        });
        return command;
    }

    public static Command Train()
    {
        var runsDir = RunsDir();
        var pairs = new Option<FileInfo?>("--pairs") { Description = "Preference pairs (TRL JSONL with scores; route column honoured)." };
        var demoSft = new Option<bool>("--demo-sft") { Description = "SFT on the demo task's noisy corpus instead of preference training." };
        var policy = new Option<string?>("--policy") { Description = "Starting policy (default: the runs folder's default)." };
        var loss = new Option<string>("--loss") { Description = "Loss terms, e.g. sigmoid, sigmoid:1,sft:0.1, ipo, hinge, robust, odpo, rdpo, ml-rdpo.", DefaultValueFactory = _ => "sigmoid" };
        var beta = new Option<double>("--beta") { DefaultValueFactory = _ => 0.1 };
        var beta1 = new Option<double>("--beta1") { DefaultValueFactory = _ => 0.1 };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 3 };
        var steps = new Option<int>("--steps") { Description = "SFT steps.", DefaultValueFactory = _ => 1500 };
        var lr = new Option<double>("--lr") { Description = "Learning rate (default 3e-4 preference, 2e-3 SFT)." };
        var batch = new Option<int>("--batch-size") { Description = "Batch size (default 32 preference, 128 SFT)." };
        var evaluation = new Option<int>("--evaluation-prompts") { Description = "Held-out demo prompts evaluated before and after.", DefaultValueFactory = _ => 0 };
        var setDefault = new Option<bool>("--set-default") { Description = "Make the result the runs folder's default policy." };
        var command = new Command("train", "Train the built-in policy: SFT, or any weighted mix of the DPO-family losses on pairs.") { runsDir, pairs, demoSft, policy, loss, beta, beta1, epochs, steps, lr, batch, evaluation, setDefault };
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            TorchSharp.torch.set_num_threads(1);
            var store = new FileArtifactStore(parse.GetValue(runsDir)!);
            using var policies = new PolicyStore(store);
            var options = new TrainOptions
            {
                Beta = parse.GetValue(beta), Beta1 = parse.GetValue(beta1), Epochs = parse.GetValue(epochs), Steps = parse.GetValue(steps),
                LearningRate = parse.GetValue(lr), BatchSize = parse.GetValue(batch),
            };
            options.Losses.Add(CommandRunner.ParseOption("--loss", parse.GetValue(loss)!, Models.Training.LossTerm.ParseList)
                .Select(t => new LossTerm { Kind = Enum.Parse<LossKind>(t.Kind.ToString()), Weight = t.Weight }));
            var request = new TrainRequest
            {
                JobId = $"cli-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}",
                DemoSft = parse.GetValue(demoSft),
                BasePolicy = parse.GetValue(policy) is { } start ? new PolicyRef { Checkpoint = start } : null,
                Options = options,
                EvaluationPrompts = parse.GetValue(evaluation),
            };
            if (!request.DemoSft)
            {
                var file = parse.GetValue(pairs) ?? throw new OptionException("give --pairs (or --demo-sft).");
                var relative = $"imports/{request.JobId}.jsonl";
                await store.WriteAsync(relative, await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                request.DatasetArtifact = relative;
            }

            var display = new Runs.ProgressDisplay(stdout, Runs.ProgressMode.Auto);
            var job = await display.RunAsync(progress => TrainingJobRunner.RunAsync(request, policies, store, new Relay(progress), cancellationToken)).ConfigureAwait(false);
            if (parse.GetValue(setDefault))
            {
                await policies.SetAliasAsync(RunCoordinator.DefaultPolicyAlias, job.CheckpointVersion, cancellationToken).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"trained {job.TotalSteps} steps → policy {job.CheckpointVersion}{(double.IsFinite(job.RewardBefore) ? $"; held-out reward {job.RewardBefore:F3} → {job.RewardAfter:F3}" : string.Empty)}")).ConfigureAwait(false);
        });
        return command;
    }

    private sealed class Relay(IProgress<PipelineProgress> progress) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => progress.Report(new PipelineProgress("train", value.Step, value.TotalSteps, string.Empty, value));
    }
}

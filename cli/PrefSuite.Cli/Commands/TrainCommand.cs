using System.CommandLine;
using System.Globalization;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Training;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Cli.Commands;

/// <summary>
/// <c>prefsuite train</c>: SFT of the built-in demo policy, or any weighted mix of the DPO-family losses on pairs, for the
/// built-in policy or a Hugging Face checkpoint (full fine-tuning or LoRA). The result is a checkpoint of the same kind.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var runsDir = StageCommands.RunsDir();
        var pairs = new Option<FileInfo?>("--pairs") { Description = "Preference pairs (TRL JSONL with scores; route column honoured)." };
        var demoSft = new Option<bool>("--demo-sft") { Description = "SFT on the demo task's noisy corpus instead of preference training." };
        var policy = new Option<string?>("--policy") { Description = "Starting policy and frozen reference: a checkpoint folder (built-in or Hugging Face), version or alias (default: the runs folder's default)." };
        var loss = new Option<string>("--loss") { Description = "Loss terms with optional weights (default 1; 0 allowed), e.g. sigmoid, sigmoid:1,sft:0.1, ipo, hinge, robust, odpo, rdpo, ml-rdpo.", DefaultValueFactory = _ => "sigmoid" };
        var beta = new Option<double>("--beta") { DefaultValueFactory = _ => 0.1 };
        var (epsilon, alpha, beta1, mlRdpoLambda) = LossFlags.Create();
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 3 };
        var steps = new Option<int>("--steps") { Description = "SFT steps.", DefaultValueFactory = _ => 1500 };
        var lr = new Option<double>("--lr") { Description = "Learning rate (default 3e-4 preference, 2e-3 SFT)." };
        var batch = new Option<int>("--batch-size") { Description = "Pairs per optimizer step (default 32 preference, 128 SFT)." };
        var pairOrder = new Option<string?>("--pair-order") { Description = "shuffled | curriculum (the file's order, every epoch); default: curriculum when the file has pairs routed to SFT, else shuffled." };
        var accumulation = new Option<int>("--gradient-accumulation") { Description = "Micro-batches per optimizer step (same result, less memory).", DefaultValueFactory = _ => 1 };
        var loraRank = new Option<int>("--lora-rank") { Description = "Train LoRA adapters of this rank instead of every weight (Hugging Face policies); 0: full fine-tuning." };
        var loraAlpha = new Option<double>("--lora-alpha") { Description = "LoRA alpha (default 16); the update is scaled by alpha / rank." };
        var loraDropout = new Option<double?>("--lora-dropout") { Description = "Dropout on the adapters' input (default 0.05)." };
        var loraTargets = new Option<string?>("--lora-targets") { Description = "Comma-separated projections: q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj or all-linear (default q,k,v,o)." };
        var evaluation = new Option<int>("--evaluation-prompts") { Description = "Held-out demo prompts evaluated before and after (built-in policy).", DefaultValueFactory = _ => 0 };
        var setDefault = new Option<bool>("--set-default") { Description = "Make the result the runs folder's default policy." };
        var outputFolder = new Option<DirectoryInfo?>("--output", "-o") { Description = "Also copy the trained checkpoint here (a Hugging Face folder for Hugging Face policies, with adapter/ for LoRA)." };
        var command = new Command("train", "Train a policy: SFT, or any weighted mix of the DPO-family losses on pairs; full fine-tuning or LoRA.")
        {
            runsDir, pairs, demoSft, policy, loss, beta, epsilon, alpha, beta1, mlRdpoLambda, epochs, steps, lr, batch, pairOrder, accumulation, loraRank, loraAlpha, loraDropout, loraTargets, evaluation, setDefault, outputFolder,
        };
        command.SetStageAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var store = new FileArtifactStore(parse.GetValue(runsDir)!);
            using var policies = Runs.SamplerSettings.Policies(store, [parse.GetValue(policy)]);
            var start = parse.GetValue(policy) is { } given ? Runs.SamplerSettings.ResolvePolicy(given) : null;
            Models.Native.TorchThreads.Set(start is not null && Models.HuggingFace.HfCheckpoint.IsCheckpoint(start) ? Environment.ProcessorCount : 1);
            var options = new TrainOptions
            {
                Beta = parse.GetValue(beta), Epochs = parse.GetValue(epochs), Steps = parse.GetValue(steps),
                LearningRate = parse.GetValue(lr), BatchSize = parse.GetValue(batch), GradientAccumulation = parse.GetValue(accumulation),
                PairOrder = parse.GetValue(pairOrder) switch
                {
                    null => PairOrder.Unspecified,
                    "shuffled" => PairOrder.Shuffled,
                    "curriculum" => PairOrder.Curriculum,
                    var other => throw new OptionException($"--pair-order: '{other}' is not shuffled or curriculum."),
                },
            };
            LossOptionsMapping.AddTerms(options, CommandRunner.ParseOption("--loss", parse.GetValue(loss)!, Science.Losses.LossTerm.ParseList));
            LossOptionsMapping.SetConstants(options, parse.GetValue(epsilon), parse.GetValue(alpha), parse.GetValue(beta1), parse.GetValue(mlRdpoLambda));
            LossFlags.Validate(options);
            if (parse.GetValue(loraRank) > 0)
            {
                options.Lora = new LoraOptions { Rank = parse.GetValue(loraRank), Alpha = parse.GetValue(loraAlpha) };
                if (parse.GetValue(loraDropout) is { } dropout)
                {
                    options.Lora.Dropout = dropout;
                }

                if (parse.GetValue(loraTargets) is { } targets)
                {
                    options.Lora.TargetModules.Add(targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                }
            }

            var request = new TrainRequest
            {
                JobId = $"cli-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}",
                DemoSft = parse.GetValue(demoSft),
                BasePolicy = start is not null ? new PolicyRef { Checkpoint = start } : null,
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
                await policies.SetAliasAsync(JobIds.DefaultPolicyAlias, job.CheckpointVersion, cancellationToken).ConfigureAwait(false);
            }

            var saved = await policies.ResolveFolderAsync(job.CheckpointVersion, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(outputFolder) is { } copy)
            {
                CopyFolder(saved, copy.FullName);
                saved = copy.FullName;
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"trained {job.TotalSteps} steps → policy {job.CheckpointVersion} in {saved}{(double.IsFinite(job.RewardBefore) ? $"; held-out reward {job.RewardBefore:F3} → {job.RewardAfter:F3}" : string.Empty)}")).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Copies a checkpoint folder, refusing to mix it into a folder that already has files.</summary>
    private static void CopyFolder(string from, string to)
    {
        if (Directory.Exists(to) && Directory.EnumerateFileSystemEntries(to).Any())
        {
            throw new OptionException($"--output: {to} is not empty; give a new or empty folder.");
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private sealed class Relay(IProgress<PipelineProgress> progress) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => progress.Report(new PipelineProgress("train", value.Step, value.TotalSteps, string.Empty, value));
    }
}

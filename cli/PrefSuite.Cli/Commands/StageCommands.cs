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
        var sampler = new Option<string>("--sampler")
        {
            Description = "Where responses come from: policy (a built-in or Hugging Face policy, run in this process; see --policy) or openai (an OpenAI-compatible server such as vLLM, SGLang, llama.cpp or Ollama; see --endpoint and --model).",
            DefaultValueFactory = _ => SamplingBackendOptions.PolicyBackend,
        }.AcceptOnlyFromAmong(SamplingBackendOptions.PolicyBackend, SamplingBackendOptions.OpenAiBackend);
        var policy = new Option<string>("--policy") { Description = "With --sampler policy: a policy version, alias, or checkpoint folder (built-in or Hugging Face; a relative folder is resolved from the current directory).", DefaultValueFactory = _ => "default" };
        var endpoint = new Option<string?>("--endpoint") { Description = "With --sampler openai: the server's base address, e.g. http://localhost:8000/v1. Message prompts go to /v1/chat/completions (the server applies its chat template), text prompts to /v1/completions." };
        var model = new Option<string?>("--model") { Description = "With --sampler openai: the model name the server serves (vLLM's --served-model-name, an Ollama tag)." };
        var apiKey = new Option<string?>("--api-key") { Description = "With --sampler openai: sent as \"Authorization: Bearer KEY\"." };
        var requestTimeout = new Option<double>("--request-timeout") { Description = "With --sampler openai: seconds one generation request may take before it fails (not retried).", DefaultValueFactory = _ => 600 };
        var choicesPerRequest = new Option<int>("--choices-per-request") { Description = "With --sampler openai: samples asked of one request; 0 asks for all N at once (n = N), 1 suits servers that do not honour n (some llama.cpp and Ollama versions): the k-th request gets seed + k.", DefaultValueFactory = _ => 0 };
        var promptsPerRequest = new Option<int>("--prompts-per-request") { Description = "With --sampler openai: text prompts sent together to /v1/completions (1 for servers that take one).", DefaultValueFactory = _ => 16 };
        var promptsFile = new Option<FileInfo?>("--prompts-file") { Description = "JSONL of {\"prompt_id\", \"prompt\"}." };
        var prompts = new Option<int>("--prompts") { Description = "Demo prompts to generate when no file is given.", DefaultValueFactory = _ => 100 };
        var samples = new Option<int>("--samples", "-n") { Description = "Responses per prompt.", DefaultValueFactory = _ => 16 };
        var temperature = new Option<double>("--temperature") { DefaultValueFactory = _ => 1.0 };
        var topP = new Option<double>("--top-p") { DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 0 };
        var maxNew = new Option<int>("--max-new-tokens") { DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Sampled prompts (PrefSuite JSONL, no rewards yet).", Required = true };
        var command = new Command("sample", "Sample N responses per prompt from a policy (built-in or Hugging Face) or an OpenAI-compatible server.")
        {
            runsDir, sampler, policy, endpoint, model, apiKey, requestTimeout, choicesPerRequest, promptsPerRequest, promptsFile, prompts, samples, temperature, topP, topK, maxNew, seed, output,
        };
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var backend = new SamplingBackendOptions
            {
                Backend = parse.GetValue(sampler)!,
                DefaultPolicy = parse.GetValue(policy)!,
                Endpoint = parse.GetValue(endpoint) ?? string.Empty,
                Model = parse.GetValue(model) ?? string.Empty,
                ApiKey = parse.GetValue(apiKey) ?? string.Empty,
                RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(requestTimeout)),
                ChoicesPerRequest = parse.GetValue(choicesPerRequest),
                PromptsPerRequest = parse.GetValue(promptsPerRequest),
            }.Validate(SampleFlag);
            var given = new (Option Option, bool Applies)[] { (policy, !backend.IsOpenAi), (endpoint, backend.IsOpenAi), (model, backend.IsOpenAi), (apiKey, backend.IsOpenAi) };
            if (given.FirstOrDefault(g => !g.Applies && parse.GetResult(g.Option) is { Implicit: false }) is { Option: { } misplaced })
            {
                throw new OptionException($"{misplaced.Name} does not apply to --sampler {backend.Backend}");
            }

            using var policies = new PolicyStore(new FileArtifactStore(parse.GetValue(runsDir)!));
            using var source = Runs.SamplerSettings.Create(backend, policies);
            var list = parse.GetValue(promptsFile) is { } file
                ? (await ScoredPromptReader.ReadAllAsync(file.FullName, new ScoredReadOptions { Format = InputFormat.Scored, RequireRewards = false }, cancellationToken).ConfigureAwait(false)).Select(p => PromptMapping.ToProto(p.PromptId, p.Prompt)).ToArray()
                : SortingTask.Prompts(parse.GetValue(prompts), 1234).Select(p => new Prompt { PromptId = p.Id, Text = p.Text }).ToArray();
            var parameters = SamplingStage.Validate(list, new SamplingParams
            {
                N = parse.GetValue(samples), Temperature = parse.GetValue(temperature), TopP = parse.GetValue(topP), TopK = parse.GetValue(topK),
                MaxNewTokens = parse.GetValue(maxNew), Seed = parse.GetValue(seed),
            }, RunSpecValidation.MaxPrompts, "per file");
            var (responses, version) = await source.Sampler.SampleAsync(list, parameters, null, cancellationToken).ConfigureAwait(false);
            var rows = list.Select((p, i) => new ScoredPrompt(p.PromptId, PromptMapping.ToText(p), responses[i].Select(r => new ScoredResponse(r.Text, double.NaN, Logprob: r.Logprob)).ToArray())).ToArray();
            await ScoredPromptWriter.WriteAsync(parse.GetValue(output)!.FullName, rows, cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync(backend.IsOpenAi
                ? $"sampled {rows.Length} prompts × {parameters.N} from model {version} at {backend.BaseAddress()}"
                : $"sampled {rows.Length} prompts × {parameters.N} with policy {version}").ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The flag of <c>prefsuite sample</c> that sets a sampling option, for errors that name it.</summary>
    private static string SampleFlag(string property) => property switch
    {
        nameof(SamplingBackendOptions.Backend) => "--sampler",
        nameof(SamplingBackendOptions.DefaultPolicy) => "--policy",
        _ => "--" + System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(property),
    };

    public static Command Score()
    {
        var runsDir = RunsDir();
        var input = new Option<FileInfo>("--input", "-i") { Description = "Sampled (or scored) prompts.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Scored prompts.", Required = true };
        var scorers = new Option<string[]>("--scorer") { Description = "Scorer spec, repeatable: onnx:FOLDER, programmatic:NAME, simulated:sorting?noise=0.1, implicit:POLICY,REFERENCE[,BETA].", Required = true };
        var command = new Command("score", "Score every response; the reward is the mean of the scorers, each scorer's heads are kept.") { runsDir, input, output, scorers };
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            using var policies = new PolicyStore(new FileArtifactStore(parse.GetValue(runsDir)!));
            var built = new List<Models.Rewards.IRewardScorer>();
            foreach (var spec in parse.GetValue(scorers)!)
            {
                built.Add(await ScorerCatalog.CreateAsync(spec, policies, NullLogger.Instance, cancellationToken).ConfigureAwait(false));
            }

            var stage = new ScoringStage(built, new MemoryRewardCache(), built.Select(s => s.Id).ToArray());
            var prompts = await ScoredPromptReader.ReadAllAsync(parse.GetValue(input)!.FullName, new ScoredReadOptions { RequireRewards = false }, cancellationToken).ConfigureAwait(false);
            var scored = new List<ScoredPrompt>(prompts.Count);
            foreach (var prompt in prompts)
            {
                var unit = new PromptUnit { RunId = "cli", Prompt = PromptMapping.ToProto(prompt.PromptId, prompt.Prompt) };
                unit.Responses.Add(prompt.Responses.Select((r, i) => new Response { Text = r.Text, SampleIndex = i, Logprob = r.Logprob ?? 0 }));
                var result = await stage.ScoreUnitAsync(unit, cancellationToken: cancellationToken).ConfigureAwait(false);
                scored.Add(prompt with
                {
                    Responses = result.Responses.Select((r, i) => new ScoredResponse(
                        r.Text, r.Reward.Reward, r.RewardsByScorer.SelectMany(v => v.Heads.Select(h => (Key: built.Count > 1 ? $"{v.ScorerId}/{h.Key}" : h.Key, h.Value))).ToDictionary(h => h.Key, h => h.Value),
                        r.HasImplicitReward ? r.ImplicitReward : null, prompt.Responses[i].Logprob)).ToArray(),
                });
            }

            await ScoredPromptWriter.WriteAsync(parse.GetValue(output)!.FullName, scored, cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync($"scored {scored.Sum(p => p.Responses.Count)} responses of {scored.Count} prompts with {string.Join(", ", built.Select(s => s.Id))}").ConfigureAwait(false);
        });
        return command;
    }

    public static Command Train()
    {
        var runsDir = RunsDir();
        var pairs = new Option<FileInfo?>("--pairs") { Description = "Preference pairs (TRL JSONL with scores; route column honoured)." };
        var demoSft = new Option<bool>("--demo-sft") { Description = "SFT on the demo task's noisy corpus instead of preference training." };
        var policy = new Option<string?>("--policy") { Description = "Starting policy: a version, alias or checkpoint folder (default: the runs folder's default)." };
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
                BasePolicy = parse.GetValue(policy) is { } start ? new PolicyRef { Checkpoint = Runs.SamplerSettings.ResolvePolicy(start) } : null,
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

using System.CommandLine;
using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Science.Demo;
using PrefSuite.Stages.Mapping;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Sampling;
using PrefSuite.Storage;

namespace PrefSuite.Cli.Commands;

/// <summary>
/// The stages one at a time over files: <c>prefsuite sample</c> → <c>prefsuite score</c> (<see cref="ScoreCommand"/>) →
/// <c>prefsuite select</c> → <c>prefsuite train</c> (<see cref="TrainCommand"/>), with the same handlers the pipeline uses.
/// </summary>
internal static class StageCommands
{
    public static Option<string> RunsDir() => new("--runs-dir") { Description = "Folder of models and caches.", DefaultValueFactory = _ => "prefsuite-runs" };

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
        var promptsFile = new Option<FileInfo?>("--prompts-file") { Description = "Prompts, JSONL or Parquet: {\"prompt_id\", \"prompt\"} rows, TRL prompt-only rows (string or messages), or any file with a prompt (or instruction) column." };
        var prompts = new Option<int>("--prompts") { Description = "Demo prompts to generate when no file is given.", DefaultValueFactory = _ => 100 };
        var samples = new Option<int>("--samples", "-n") { Description = "Responses per prompt.", DefaultValueFactory = _ => 16 };
        var temperature = new Option<double>("--temperature") { DefaultValueFactory = _ => 1.0 };
        var topP = new Option<double>("--top-p") { DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 0 };
        var maxNew = new Option<int>("--max-new-tokens") { DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0 };
        var conditionOnScore = new Option<string?>("--condition-on-score") { Description = "For a policy trained on prefsuite augment's pairs: condition every prompt on the best score (\"Overall score: 10.\") exactly as augment states goals, as a system message (system) or prepended to the first user turn (no-system, augment's --no-system). The output keeps the prompts as given." }
            .AcceptOnlyFromAmong(GoalConditioningPrompts.System, GoalConditioningPrompts.NoSystem);
        var output = new Option<FileInfo>("--output", "-o") { Description = "Sampled prompts (PrefSuite JSONL, no rewards yet).", Required = true };
        var command = new Command("sample", "Sample N responses per prompt from a policy (built-in or Hugging Face) or an OpenAI-compatible server.")
        {
            runsDir, sampler, policy, endpoint, model, apiKey, requestTimeout, choicesPerRequest, promptsPerRequest, promptsFile, prompts, samples, temperature, topP, topK, maxNew, seed, conditionOnScore, output,
        };
        var promptColumns = new DatasetFlags().AddTo(command, promptsOnly: true);
        command.SetStageAction(async (parse, stdout, stderr, cancellationToken) =>
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

            using var policies = Runs.SamplerSettings.Policies(new FileArtifactStore(parse.GetValue(runsDir)!), [parse.GetValue(policy)]);
            using var source = Runs.SamplerSettings.Create(backend, policies);
            var notes = new FieldNotes();
            var list = parse.GetValue(promptsFile) is { } file
                ? (await PromptReader.ReadAllAsync(file.FullName, promptColumns.Prompts(parse, notes), cancellationToken).ConfigureAwait(false)).Select(p => PromptMapping.ToProto(p.PromptId, p.Prompt)).ToArray()
                : SortingTask.Prompts(parse.GetValue(prompts), 1234).Select(p => new Prompt { PromptId = p.Id, Text = p.Text }).ToArray();
            await DatasetFlags.NoteAsync(stderr, notes, parse.GetValue(promptsFile)?.FullName ?? string.Empty).ConfigureAwait(false);
            var parameters = SamplingStage.Validate(list, new SamplingParams
            {
                N = parse.GetValue(samples), Temperature = parse.GetValue(temperature), TopP = parse.GetValue(topP), TopK = parse.GetValue(topK),
                MaxNewTokens = parse.GetValue(maxNew), Seed = parse.GetValue(seed), GoalConditioning = GoalConditioningPrompts.Parse(parse.GetValue(conditionOnScore)),
            }, RunSpecValidation.MaxPrompts, "per file");
            var (responses, version) = await source.Sampler.SampleAsync(GoalConditioningPrompts.Apply(list, parameters), parameters, null, cancellationToken).ConfigureAwait(false);
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
}

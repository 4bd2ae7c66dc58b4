using System.CommandLine;
using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Models.Demo;
using PrefSuite.Stages.Mapping;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Storage;

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
        var policy = new Option<string>("--policy") { Description = "Policy version, alias or checkpoint folder.", DefaultValueFactory = _ => "default" };
        var promptsFile = new Option<FileInfo?>("--prompts-file") { Description = "JSONL of {\"prompt_id\", \"prompt\"}." };
        var prompts = new Option<int>("--prompts") { Description = "Demo prompts to generate when no file is given.", DefaultValueFactory = _ => 100 };
        var samples = new Option<int>("--samples", "-n") { Description = "Responses per prompt.", DefaultValueFactory = _ => 16 };
        var temperature = new Option<double>("--temperature") { DefaultValueFactory = _ => 1.0 };
        var topP = new Option<double>("--top-p") { DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 0 };
        var maxNew = new Option<int>("--max-new-tokens") { DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Sampled prompts (PrefSuite JSONL, no rewards yet).", Required = true };
        var command = new Command("sample", "Sample N responses per prompt from the built-in policy.") { runsDir, policy, promptsFile, prompts, samples, temperature, topP, topK, maxNew, seed, output };
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            using var policies = new PolicyStore(new FileArtifactStore(parse.GetValue(runsDir)!));
            var list = parse.GetValue(promptsFile) is { } file
                ? (await ScoredPromptReader.ReadAllAsync(file.FullName, new ScoredReadOptions { Format = InputFormat.Scored, RequireRewards = false }, cancellationToken).ConfigureAwait(false)).Select(p => PromptMapping.ToProto(p.PromptId, p.Prompt)).ToArray()
                : SortingTask.Prompts(parse.GetValue(prompts), 1234).Select(p => new Prompt { PromptId = p.Id, Text = p.Text }).ToArray();
            var parameters = SamplingStage.Validate(list, new SamplingParams
            {
                N = parse.GetValue(samples), Temperature = parse.GetValue(temperature), TopP = parse.GetValue(topP), TopK = parse.GetValue(topK),
                MaxNewTokens = parse.GetValue(maxNew), Seed = parse.GetValue(seed),
            }, RunSpecValidation.MaxPrompts, "per file");
            var (responses, version) = await new PolicySampler(policies, parse.GetValue(policy)!).SampleAsync(list, parameters, null, cancellationToken).ConfigureAwait(false);
            var rows = list.Select((p, i) => new ScoredPrompt(p.PromptId, PromptMapping.ToText(p), responses[i].Select(r => new ScoredResponse(r.Text, double.NaN, Logprob: r.Logprob)).ToArray())).ToArray();
            await ScoredPromptWriter.WriteAsync(parse.GetValue(output)!.FullName, rows, cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync($"sampled {rows.Length} prompts × {parameters.N} with policy {version}").ConfigureAwait(false);
        });
        return command;
    }
}

using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Models.Rewards;
using PrefSuite.Stages.Caching;
using PrefSuite.Stages.Mapping;
using PrefSuite.Stages.Scoring;
using PrefSuite.Storage;

namespace PrefSuite.Cli.Commands;

/// <summary>
/// <c>prefsuite score</c>: reward vectors from reward models and scorers (the reward is their mean, every head is
/// kept), and with <c>--policy</c> and <c>--reference</c> each response's summed log-probability under the policy and
/// its implicit reward β·(log πθ − log πref).
/// </summary>
internal static class ScoreCommand
{
    /// <summary>A progress line about every this many responses × 16.</summary>
    private const int Chunk = 64;

    public static Command Create()
    {
        var runsDir = StageCommands.RunsDir();
        var input = new Option<FileInfo>("--input", "-i") { Description = "Sampled (or scored) prompts.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Scored prompts.", Required = true };
        var scorers = new Option<string[]>("--scorer") { Description = "Scorer spec, repeatable: hf:FOLDER[?weights=HEAD=W,…], onnx:FOLDER, programmatic:NAME, simulated:sorting?noise=0.1, implicit:POLICY,REFERENCE[,BETA]." };
        var rewardModels = new Option<string[]>("--reward-model") { Description = "A Hugging Face *ForSequenceClassification checkpoint folder (repeatable); several labels give a head vector." };
        var headWeights = new Option<string?>("--head-weights") { Description = "HEAD=W,… turning a reward model's labels into its scalar reward (default: their mean)." };
        var policy = new Option<string?>("--policy") { Description = "Policy checkpoint (folder, version or alias): writes each response's summed log-probability, and with --reference its implicit reward." };
        var reference = new Option<string?>("--reference") { Description = "Reference checkpoint for implicit rewards β·(log πθ − log πref)." };
        var beta = new Option<double>("--beta") { Description = "β of the implicit reward.", DefaultValueFactory = _ => 0.1 };
        var command = new Command("score", "Score every response: rewards from reward models and scorers; log-probs and implicit rewards from a policy and its reference.")
        {
            runsDir, input, output, scorers, rewardModels, headWeights, policy, reference, beta,
        };
        var columns = new DatasetFlags().AddTo(command);
        command.SetStageAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var specs = (parse.GetValue(scorers) ?? []).ToList();
            using var policies = Runs.SamplerSettings.Policies(new FileArtifactStore(parse.GetValue(runsDir)!), [parse.GetValue(policy), parse.GetValue(reference)], specs);
            var weights = parse.GetValue(headWeights) is { } w ? $"?weights={w}" : string.Empty;
            specs.AddRange((parse.GetValue(rewardModels) ?? []).Select(folder => $"hf:{Path.GetFullPath(folder)}{weights}"));
            var policyName = parse.GetValue(policy);
            var referenceName = parse.GetValue(reference);
            if (specs.Count == 0 && policyName is null)
            {
                throw new OptionException("give --reward-model, --scorer, or --policy with --reference.");
            }

            if (referenceName is not null && policyName is null)
            {
                throw new OptionException("--reference needs --policy.");
            }

            var built = new List<IRewardScorer>();
            foreach (var spec in specs)
            {
                built.Add(await ScorerCatalog.CreateAsync(spec, policies, NullLogger.Instance, cancellationToken).ConfigureAwait(false));
            }

            var policyModel = policyName is null ? null : await policies.GetAsync(Runs.SamplerSettings.ResolvePolicy(policyName), cancellationToken).ConfigureAwait(false);
            var referenceModel = referenceName is null ? null : await policies.GetAsync(Runs.SamplerSettings.ResolvePolicy(referenceName), cancellationToken).ConfigureAwait(false);
            var logProbs = policyModel is null ? null : new ImplicitRewardScorer(policyModel, referenceModel ?? policyModel, parse.GetValue(beta));
            if (specs.Count == 0 && referenceModel is null)
            {
                throw new OptionException("with --policy alone there is no reward: add --reference (the implicit reward becomes the reward) or a reward model.");
            }

            var stage = built.Count > 0 ? new ScoringStage(built, new MemoryRewardCache(), built.Select(s => s.Id).ToArray()) : null;
            var source = parse.GetValue(input)!.FullName;
            var notes = new FieldNotes();
            var read = new ScoredReadOptions { RequireRewards = false, Mapping = columns.Mapping(parse), Strict = columns.Strict(parse), Notes = notes };
            long responses = 0;
            async IAsyncEnumerable<ScoredPrompt> Scored()
            {
                await foreach (var prompt in ScoredPromptReader.ReadAsync(source, read, cancellationToken).ConfigureAwait(false))
                {
                    var scored = await ScoreAsync(prompt, stage, built.Count, logProbs, referenceModel is not null, cancellationToken).ConfigureAwait(false);
                    if ((responses += scored.Responses.Count) % (Chunk * 16) < scored.Responses.Count)
                    {
                        await stderr.WriteLineAsync($"scored {responses} responses").ConfigureAwait(false);
                    }

                    yield return scored;
                }
            }

            var prompts = await ScoredPromptWriter.WriteAsync(parse.GetValue(output)!.FullName, Scored(), cancellationToken).ConfigureAwait(false);
            await DatasetFlags.NoteAsync(stderr, notes, source).ConfigureAwait(false);
            var sources = built.Select(s => s.Id).Concat(logProbs is null ? [] : [referenceModel is null ? "logprob" : "logprob+implicit"]);
            await stderr.WriteLineAsync($"scored {responses} responses of {prompts} prompts with {string.Join(", ", sources)}").ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<ScoredPrompt> ScoreAsync(ScoredPrompt prompt, ScoringStage? stage, int scorerCount, ImplicitRewardScorer? logProbs, bool hasReference, CancellationToken cancellationToken)
    {
        var items = prompt.Responses.Select(r => new ScoringItem(BuiltInText(prompt), r.Text) { Conversation = prompt.Prompt }).ToArray();
        var implicitValues = logProbs?.Compute(items, cancellationToken);
        Google.Protobuf.Collections.RepeatedField<Response>? rewarded = null;
        if (stage is not null)
        {
            var unit = new PromptUnit { RunId = "cli", Prompt = PromptMapping.ToProto(prompt.PromptId, prompt.Prompt) };
            unit.Responses.Add(prompt.Responses.Select((r, i) => new Response { Text = r.Text, SampleIndex = i, Logprob = r.Logprob ?? 0 }));
            rewarded = (await stage.ScoreUnitAsync(unit, cancellationToken: cancellationToken).ConfigureAwait(false)).Responses;
        }

        return prompt with
        {
            Responses = prompt.Responses.Select((r, i) =>
            {
                double? implicitReward = hasReference ? implicitValues![i].ImplicitReward : r.ImplicitReward;
                var logprob = implicitValues is null ? r.Logprob : implicitValues[i].PolicyLogProb;
                if (rewarded is null)
                {
                    return new ScoredResponse(r.Text, implicitReward!.Value, null, implicitReward, logprob);
                }

                var heads = rewarded[i].RewardsByScorer.SelectMany(v => v.Heads.Select(h => (Key: scorerCount > 1 ? $"{v.ScorerId}/{h.Key}" : h.Key, h.Value))).ToDictionary(h => h.Key, h => h.Value);
                return new ScoredResponse(r.Text, rewarded[i].Reward.Reward, heads, rewarded[i].HasImplicitReward ? rewarded[i].ImplicitReward : implicitReward, logprob);
            }).ToArray(),
        };
    }

    private static string BuiltInText(ScoredPrompt prompt) => Models.Policy.BuiltInPolicyTokens.RoleLines(prompt.Prompt);
}

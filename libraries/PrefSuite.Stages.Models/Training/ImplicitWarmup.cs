using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Models.Policy;
using PrefSuite.Science.Augmentation;
using PrefSuite.Stages.Mapping;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Training;

/// <summary>
/// The implicit rewards of a Less-is-More warm-up (SCIENCE.md §3): every response of a run's selected units is scored
/// with the policy before the brief training (π_start) and after it (π_warm), and log π_warm(y) − log π_start(y) —
/// summed token log-probs, no β — is written back as the response's implicit reward, so that the next dataset
/// selection's implicit margin of a pair is [log π_warm(y_w) − log π_warm(y_l)] − [log π_start(y_w) − log π_start(y_l)].
/// </summary>
public sealed class ImplicitWarmup
{
    private readonly IArtifactStore _store;
    private readonly List<(string Path, PromptUnit Unit)> _units;
    private readonly PromptText[] _prompts;
    private readonly string[] _responses;
    private readonly double[] _before;

    private ImplicitWarmup(IArtifactStore store, List<(string Path, PromptUnit Unit)> units, PromptText[] prompts, string[] responses, double[] before)
    {
        (_store, _units, _prompts, _responses, _before) = (store, units, prompts, responses, before);
    }

    /// <summary>Reads the run's selected units and scores their responses with the starting policy.</summary>
    public static async Task<ImplicitWarmup> StartAsync(PolicyModel policy, string runId, IArtifactStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var units = new List<(string, PromptUnit)>();
        await foreach (var path in store.ListAsync(ArtifactPaths.SelectedUnitsFolder(runId), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (await store.ReadAsync(path, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                units.Add((path, PromptUnit.Parser.ParseFrom(bytes)));
            }
        }

        if (units.Count == 0)
        {
            throw new InvalidRequestException("run_id", $"run '{runId}' has no selected units to score implicit rewards for");
        }

        var prompts = units.SelectMany(u => u.Item2.Responses.Select(_ => PromptMapping.ToText(u.Item2.Prompt))).ToArray();
        var responses = units.SelectMany(u => u.Item2.Responses.Select(r => r.Text)).ToArray();
        return new ImplicitWarmup(store, units, prompts, responses, ResponseLogProbs.Compute(policy, prompts, responses));
    }

    /// <summary>Scores the responses with the trained policy and writes each one's implicit reward into its unit.</summary>
    public async Task FinishAsync(PolicyModel policy, CancellationToken cancellationToken)
    {
        var after = ResponseLogProbs.Compute(policy, _prompts, _responses);
        var k = 0;
        foreach (var (path, unit) in _units)
        {
            foreach (var response in unit.Responses)
            {
                response.ImplicitReward = after[k] - _before[k];
                k++;
            }

            await _store.WriteAsync(path, unit.ToByteArray(), cancellationToken).ConfigureAwait(false);
        }
    }
}

using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Models.Rewards;
using PrefSuite.Stages.Caching;
using PrefSuite.Stages.Mapping;
using PrefSuite.Workflow;
using RewardVector = PrefSuite.Contracts.V1.RewardVector;

namespace PrefSuite.Stages.Scoring;

/// <summary>
/// The reward scoring stage: every item is scored by each requested scorer, through the reward-vector cache (one batched
/// read and one batched write per call); the combined reward is the mean of the scorers' rewards.
/// </summary>
public sealed class ScoringStage
{
    public const int MaxItemsPerCall = 4096;
    public const string CombinedId = "combined";

    private readonly IReadOnlyDictionary<string, IRewardScorer> _scorers;
    private readonly IReadOnlyList<string> _defaults;
    private readonly IRewardCache _cache;

    public ScoringStage(IReadOnlyList<IRewardScorer> scorers, IRewardCache cache, IReadOnlyList<string>? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(scorers);
        if (scorers.Count == 0)
        {
            throw new ArgumentException("The scoring stage needs at least one scorer.", nameof(scorers));
        }

        _scorers = scorers.ToDictionary(s => s.Id, StringComparer.Ordinal);
        _defaults = defaults is { Count: > 0 } ? defaults : [scorers[0].Id];
        _cache = cache;
    }

    public IReadOnlyCollection<IRewardScorer> Scorers => [.. _scorers.Values];

    public IReadOnlyList<string> Defaults => _defaults;

    public Task<ScoreResponse> ScoreAsync(ScoreRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Items.Count > MaxItemsPerCall)
        {
            throw new InvalidRequestException("items", $"has {request.Items.Count} items; at most {MaxItemsPerCall} per call (use ScoreStream)");
        }

        var items = request.Items.Select((item, i) => ToScoringItem(item, $"items[{i}]")).ToArray();
        return ScoreItemsAsync(ScorerIds(request.Scorers), items, cancellationToken);
    }

    /// <summary>A request item as scorers read it: a text prompt as it is, a conversation both as itself and flattened.</summary>
    private static ScoringItem ToScoringItem(ScoreItem item, string field)
    {
        if (item.PromptMessages.Count == 0)
        {
            return new ScoringItem(item.Prompt, item.Response, !item.Truncated);
        }

        if (item.Prompt.Length > 0)
        {
            throw new InvalidRequestException($"{field}.prompt_messages", "set prompt or prompt_messages, not both");
        }

        for (var m = 0; m < item.PromptMessages.Count; m++)
        {
            if (string.IsNullOrEmpty(item.PromptMessages[m].Role))
            {
                throw new InvalidRequestException($"{field}.prompt_messages[{m}].role", "is missing");
            }
        }

        var prompt = new Prompt { Messages = { item.PromptMessages } };
        return new ScoringItem(PromptMapping.Flatten(prompt), item.Response, !item.Truncated) { Conversation = PromptMapping.ToText(prompt, field) };
    }

    /// <summary>The queue step: scores every response of a unit and records the vectors on it.</summary>
    public async Task<PromptUnit> ScoreUnitAsync(PromptUnit unit, IReadOnlyList<string>? scorers = null, CancellationToken cancellationToken = default) =>
        (await ScoreUnitsAsync([unit], scorers, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// The queue step for many units at once: their responses are scored together (one cache round trip and one
    /// scorer batch per scorer), and each unit comes back with its vectors recorded.
    /// </summary>
    public async Task<IReadOnlyList<PromptUnit>> ScoreUnitsAsync(IReadOnlyList<PromptUnit> units, IReadOnlyList<string>? scorers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(units);
        var items = new List<ScoringItem>();
        foreach (var unit in units)
        {
            ArgumentNullException.ThrowIfNull(unit);
            var prompt = PromptMapping.Flatten(unit.Prompt ?? throw new InvalidRequestException("prompt", "is missing"));
            var conversation = PromptMapping.ToText(unit.Prompt);
            items.AddRange(unit.Responses.Select(r => new ScoringItem(prompt, r.Text, r.FinishReason != "length") { Conversation = conversation }));
        }

        var scored = await ScoreItemsAsync(ScorerIds(scorers ?? []), [.. items], cancellationToken).ConfigureAwait(false);
        var results = new PromptUnit[units.Count];
        var next = 0;
        for (var u = 0; u < units.Count; u++)
        {
            var result = units[u].Clone();
            foreach (var response in result.Responses)
            {
                var item = scored.Items[next++];
                response.Reward = item.Combined;
                response.RewardsByScorer.Clear();
                response.RewardsByScorer.Add(item.ByScorer);
                if (item.ByScorer.FirstOrDefault(v => v.ScorerId == ImplicitRewardScorer.HeadName) is { } implicitVector)
                {
                    response.ImplicitReward = implicitVector.Reward;
                }
            }

            results[u] = result;
        }

        return results;
    }

    private string[] ScorerIds(IReadOnlyList<string> requested)
    {
        var scorerIds = requested.Count > 0 ? requested.ToArray() : [.. _defaults];
        for (var i = 0; i < scorerIds.Length; i++)
        {
            if (!_scorers.ContainsKey(scorerIds[i]))
            {
                throw new InvalidRequestException($"scorers[{i}]", $"'{scorerIds[i]}' is not a scorer here (have {string.Join(", ", _scorers.Keys)})");
            }
        }

        return scorerIds;
    }

    private async Task<ScoreResponse> ScoreItemsAsync(string[] scorerIds, ScoringItem[] items, CancellationToken cancellationToken)
    {
        var response = new ScoreResponse();
        var byScorer = new RewardVector[scorerIds.Length][];
        for (var s = 0; s < scorerIds.Length; s++)
        {
            var (vectors, hits) = await ScoreWithCacheAsync(_scorers[scorerIds[s]], items, cancellationToken).ConfigureAwait(false);
            byScorer[s] = vectors;
            response.CacheHits += hits;
            response.CacheMisses += items.Length - hits;
        }

        for (var i = 0; i < items.Length; i++)
        {
            var scored = new ScoredItem { Combined = Combine(byScorer.Select(v => v[i]).ToArray()) };
            scored.ByScorer.Add(byScorer.Select(v => v[i]));
            response.Items.Add(scored);
        }

        return response;
    }

    private async Task<(RewardVector[] Vectors, int Hits)> ScoreWithCacheAsync(IRewardScorer scorer, ScoringItem[] items, CancellationToken cancellationToken)
    {
        var keys = items.Select(i => RewardCacheKeys.For(scorer.Id, scorer.Version, i.Prompt, i.Conversation.Messages, i.Response, !i.Ended)).ToArray();
        var cached = await _cache.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);
        var vectors = new RewardVector[items.Length];
        var missing = new List<int>();
        for (var i = 0; i < items.Length; i++)
        {
            if (cached[i] is { } bytes && TryParse(bytes) is { } vector)
            {
                vectors[i] = vector;
            }
            else
            {
                missing.Add(i);
            }
        }

        if (missing.Count > 0)
        {
            var computed = await scorer.ScoreAsync(missing.Select(i => items[i]).ToArray(), cancellationToken).ConfigureAwait(false);
            var entries = new List<KeyValuePair<string, byte[]>>(missing.Count);
            for (var m = 0; m < missing.Count; m++)
            {
                var vector = new RewardVector { Reward = computed[m].Reward, ScorerId = scorer.Id, ScorerVersion = scorer.Version };
                foreach (var (head, value) in computed[m].Heads)
                {
                    vector.Heads[head] = value;
                }

                vectors[missing[m]] = vector;
                entries.Add(new(keys[missing[m]], vector.ToByteArray()));
            }

            await _cache.SetManyAsync(entries, cancellationToken).ConfigureAwait(false);
        }

        return (vectors, items.Length - missing.Count);
    }

    private static RewardVector? TryParse(byte[] bytes)
    {
        try
        {
            return RewardVector.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return null; // a damaged cache entry is a miss
        }
    }

    private static RewardVector Combine(RewardVector[] vectors)
    {
        if (vectors.Length == 1)
        {
            var single = vectors[0].Clone();
            return single;
        }

        var combined = new RewardVector { ScorerId = CombinedId, Reward = vectors.Average(v => v.Reward), ScorerVersion = string.Join("+", vectors.Select(v => v.ScorerVersion)) };
        foreach (var vector in vectors)
        {
            foreach (var (head, value) in vector.Heads)
            {
                combined.Heads[combined.Heads.ContainsKey(head) ? $"{vector.ScorerId}/{head}" : head] = value;
            }
        }

        return combined;
    }
}

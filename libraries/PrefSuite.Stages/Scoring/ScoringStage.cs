using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Models.Rewards;
using PrefSuite.Stages.Caching;
using PrefSuite.Stages.Mapping;
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

    public async Task<ScoreResponse> ScoreAsync(ScoreRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Items.Count > MaxItemsPerCall)
        {
            throw new InvalidRequestException("items", $"has {request.Items.Count} items; at most {MaxItemsPerCall} per call (use ScoreStream)");
        }

        var scorerIds = request.Scorers.Count > 0 ? request.Scorers.ToArray() : [.. _defaults];
        for (var i = 0; i < scorerIds.Length; i++)
        {
            if (!_scorers.ContainsKey(scorerIds[i]))
            {
                throw new InvalidRequestException($"scorers[{i}]", $"'{scorerIds[i]}' is not a scorer here (have {string.Join(", ", _scorers.Keys)})");
            }
        }

        var items = request.Items.Select(i => new ScoringItem(i.Prompt, i.Response, !i.Truncated)).ToArray();
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

    /// <summary>The queue step: scores every response of a unit and records the vectors on it.</summary>
    public async Task<PromptUnit> ScoreUnitAsync(PromptUnit unit, IReadOnlyList<string>? scorers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var prompt = PromptMapping.Flatten(unit.Prompt ?? throw new InvalidRequestException("prompt", "is missing"));
        var request = new ScoreRequest();
        request.Items.Add(unit.Responses.Select(r => new ScoreItem { Prompt = prompt, Response = r.Text, Truncated = r.FinishReason == "length" }));
        if (scorers is { Count: > 0 })
        {
            request.Scorers.Add(scorers);
        }

        var scored = await ScoreAsync(request, cancellationToken).ConfigureAwait(false);
        var result = unit.Clone();
        for (var i = 0; i < result.Responses.Count; i++)
        {
            var response = result.Responses[i];
            response.Reward = scored.Items[i].Combined;
            response.RewardsByScorer.Clear();
            response.RewardsByScorer.Add(scored.Items[i].ByScorer);
            if (scored.Items[i].ByScorer.FirstOrDefault(v => v.ScorerId == ImplicitRewardScorer.HeadName) is { } implicitVector)
            {
                response.ImplicitReward = implicitVector.Reward;
            }
        }

        return result;
    }

    private async Task<(RewardVector[] Vectors, int Hits)> ScoreWithCacheAsync(IRewardScorer scorer, ScoringItem[] items, CancellationToken cancellationToken)
    {
        var keys = items.Select(i => RewardCacheKeys.For(scorer.Id, scorer.Version, i.Prompt, i.Response, !i.Ended)).ToArray();
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

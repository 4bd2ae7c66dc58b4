namespace PrefSuite.Models.Rewards;

/// <summary>Scores with a programmatic reward; its one head carries the reward's name.</summary>
public sealed class ProgrammaticRewardScorer(IProgrammaticReward reward, string version = "1") : IRewardScorer
{
    public string Id => $"programmatic:{reward.Name}";

    public string Version => version;

    public IReadOnlyList<string> Heads => [reward.Name];

    public Task<IReadOnlyList<RewardVector>> ScoreAsync(IReadOnlyList<ScoringItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var vectors = new RewardVector[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var value = reward.Score(items[i].Prompt, items[i].Response, items[i].Ended);
            vectors[i] = new RewardVector(value, new Dictionary<string, double>(StringComparer.Ordinal) { [reward.Name] = value });
        }

        return Task.FromResult<IReadOnlyList<RewardVector>>(vectors);
    }
}

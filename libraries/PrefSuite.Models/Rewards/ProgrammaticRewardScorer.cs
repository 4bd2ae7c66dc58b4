namespace PrefSuite.Models.Rewards;

/// <summary>Scores with a programmatic reward (a conversation by its last user turn); its one head carries the reward's name.</summary>
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
            // A task reward judges the task: a conversation's last user turn, not its "role: content" rendering.
            var prompt = items[i].Conversation.IsConversational ? items[i].Conversation.Flatten() : items[i].Prompt;
            var value = reward.Score(prompt, items[i].Response, items[i].Ended);
            vectors[i] = new RewardVector(value, new Dictionary<string, double>(StringComparer.Ordinal) { [reward.Name] = value });
        }

        return Task.FromResult<IReadOnlyList<RewardVector>>(vectors);
    }
}

using PrefSuite.Models.Policy;

namespace PrefSuite.Models.Rewards;

/// <summary>The implicit reward β·(logπθ(y|x) − logπref(y|x)) of a policy against its reference (SCIENCE.md §1).</summary>
public sealed class ImplicitRewardScorer(PolicyModel policy, PolicyModel reference, double beta = 0.1) : IRewardScorer
{
    public const string HeadName = "implicit";

    public string Id => "implicit";

    public string Version => $"{policy.Manifest?.Version ?? "unsaved"}/{reference.Manifest?.Version ?? "unsaved"}/beta={beta:R}";

    public IReadOnlyList<string> Heads => [HeadName];

    public double Beta => beta;

    public Task<IReadOnlyList<RewardVector>> ScoreAsync(IReadOnlyList<ScoringItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var prompts = items.Select(i => i.Prompt).ToArray();
        var responses = items.Select(i => i.Response).ToArray();
        var policyLogProbs = ResponseLogProbs.Compute(policy, prompts, responses);
        cancellationToken.ThrowIfCancellationRequested();
        var referenceLogProbs = ResponseLogProbs.Compute(reference, prompts, responses);
        var vectors = new RewardVector[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var value = beta * (policyLogProbs[i] - referenceLogProbs[i]);
            vectors[i] = new RewardVector(value, new Dictionary<string, double>(StringComparer.Ordinal) { [HeadName] = value });
        }

        return Task.FromResult<IReadOnlyList<RewardVector>>(vectors);
    }
}

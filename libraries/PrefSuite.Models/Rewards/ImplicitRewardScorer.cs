using PrefSuite.Models.Policy;
using PrefSuite.Science.Margins;

namespace PrefSuite.Models.Rewards;

/// <summary>
/// The implicit reward β·(logπθ(y|x) − logπref(y|x)) of a policy against its reference (SCIENCE.md §1,
/// <see cref="Margin.ImplicitReward"/>): selection's implicit margin is the difference of two of them.
/// </summary>
public sealed class ImplicitRewardScorer(PolicyModel policy, PolicyModel reference, double beta = 0.1) : IRewardScorer
{
    public const string HeadName = "implicit";

    public string Id => "implicit";

    public string Version => $"{policy.Version}/{reference.Version}/beta={beta:R}";

    public IReadOnlyList<string> Heads => [HeadName];

    public double Beta => beta;

    public Task<IReadOnlyList<RewardVector>> ScoreAsync(IReadOnlyList<ScoringItem> items, CancellationToken cancellationToken = default)
    {
        var values = Compute(items, cancellationToken);
        var vectors = values.Select(v => new RewardVector(v.ImplicitReward, new Dictionary<string, double>(StringComparer.Ordinal) { [HeadName] = v.ImplicitReward })).ToArray();
        return Task.FromResult<IReadOnlyList<RewardVector>>(vectors);
    }

    /// <summary>Per item: the implicit reward and the summed response log-probability under the policy.</summary>
    public (double ImplicitReward, double PolicyLogProb)[] Compute(IReadOnlyList<ScoringItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var prompts = items.Select(i => i.Conversation).ToArray();
        var responses = items.Select(i => i.Response).ToArray();
        var policyLogProbs = ResponseLogProbs.Compute(policy, prompts, responses);
        cancellationToken.ThrowIfCancellationRequested();
        var referenceLogProbs = ResponseLogProbs.Compute(reference, prompts, responses);
        return policyLogProbs.Select((p, i) => (Margin.ImplicitReward(beta, p, referenceLogProbs[i]), p)).ToArray();
    }
}

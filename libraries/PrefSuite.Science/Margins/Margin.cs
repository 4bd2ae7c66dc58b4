namespace PrefSuite.Science.Margins;

/// <summary>The margins of SCIENCE.md §3 and the implicit reward they are built from: the one definition PrefSuite uses.</summary>
/// <remarks>
/// The implicit margin is β-scaled: m_imp = r̂(y_w) − r̂(y_l) = β·{[logπθ(y_w) − logπθ(y_l)] − [logπref(y_w) − logπref(y_l)]}
/// with r̂ = β·(logπθ − logπref), DPO's implicit reward (SCIENCE.md §1). SCIENCE.md §3 writes it without β; the two
/// differ by the constant β, which keeps every ranking by the implicit margin alone but not the probability map's fixed
/// −2 floor or a fixed cap: β·h is the Bradley–Terry logit of the preference the trained policy implies (σ(β·h) is its
/// probability), in the same units as a reward model's margin, so the floor means the same for both sources
/// (docs/science.md, "One implicit margin").
/// </remarks>
public static class Margin
{
    /// <summary>m_ext = r(y_w) − r(y_l) from the reward model.</summary>
    public static double External(double chosenReward, double rejectedReward) => chosenReward - rejectedReward;

    /// <summary>r̂θ(x, y) = β·(logπθ(y|x) − logπref(y|x)), summed response-token log-probabilities.</summary>
    public static double ImplicitReward(double beta, double policyLogProb, double referenceLogProb) => beta * (policyLogProb - referenceLogProb);

    /// <summary>m_imp = r̂(y_w) − r̂(y_l), from the responses' implicit rewards (what scored files carry).</summary>
    public static double Implicit(double chosenImplicitReward, double rejectedImplicitReward) => chosenImplicitReward - rejectedImplicitReward;

    /// <summary>
    /// m_imp = β·{[logπθ(y_w) − logπθ(y_l)] − [logπref(y_w) − logπref(y_l)]} from summed log-probabilities, where πθ is
    /// the briefly DPO-trained policy and πref its starting point (the paper's π_DPO and π_SFT).
    /// </summary>
    public static double Implicit(double beta, double policyChosen, double policyRejected, double referenceChosen, double referenceRejected) =>
        Implicit(ImplicitReward(beta, policyChosen, referenceChosen), ImplicitReward(beta, policyRejected, referenceRejected));
}

namespace PrefSuite.Science.Margins;

/// <summary>The two margins of SCIENCE.md §3.</summary>
public static class Margin
{
    /// <summary>m_ext = r(y_w) − r(y_l) from the reward model.</summary>
    public static double External(double chosenReward, double rejectedReward) => chosenReward - rejectedReward;

    /// <summary>
    /// m_imp = [logπ_DPO(y_w) − logπ_DPO(y_l)] − [logπ_SFT(y_w) − logπ_SFT(y_l)], summed token log-probs and no β,
    /// where π_DPO is briefly DPO-trained from π_SFT.
    /// </summary>
    public static double Implicit(double dpoChosen, double dpoRejected, double sftChosen, double sftRejected) =>
        (dpoChosen - dpoRejected) - (sftChosen - sftRejected);
}

namespace PrefSuite.Models.Training;

/// <summary>What one optimisation step measured.</summary>
/// <param name="RewardAccuracy">Share of preference-routed pairs with h &gt; 0 (NaN for SFT).</param>
/// <param name="MeanMargin">Mean implicit reward margin β·h over preference-routed pairs (NaN for SFT).</param>
/// <param name="ChosenLogProb">Mean logπθ of the chosen responses (for SFT: of the demonstrations).</param>
/// <param name="RejectedLogProb">Mean logπθ of the rejected responses (NaN for SFT).</param>
public sealed record StepMetrics(
    string Stage,
    int Step,
    int TotalSteps,
    int Epoch,
    double Loss,
    double RewardAccuracy,
    double MeanMargin,
    double ChosenLogProb,
    double RejectedLogProb,
    double LearningRate);

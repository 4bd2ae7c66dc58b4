using PrefSuite.Science.Routing;

namespace PrefSuite.Models.Training;

/// <summary>One training pair: prompt text (already goal-conditioned when augmented), responses, scores and route.</summary>
public sealed record TrainingPair(string Prompt, string Chosen, string Rejected, double ScoreChosen, double ScoreRejected, PairRoute Route = PairRoute.Dpo);

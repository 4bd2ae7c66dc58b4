using PrefSuite.Contracts.V1;

namespace PrefSuite.Reports;

/// <summary>One prompt's rewards with the statistics of SCIENCE.md §2 and the pair taken from them.</summary>
public sealed record PromptRewards(string PromptId, string Prompt, double[] Rewards, int ChosenIndex, int RejectedIndex, string ChosenPosition, string RejectedPosition)
{
    public double Mean => Rewards.Average();

    public double StdDev => Math.Sqrt(Rewards.Average(r => (r - Mean) * (r - Mean)));
}

/// <summary>Everything a run report shows, read from the run's artifacts.</summary>
public sealed record RunReportData
{
    public required string RunId { get; init; }

    public required Run Run { get; init; }

    /// <summary>A few prompts whose reward distributions are drawn.</summary>
    public required IReadOnlyList<PromptRewards> Examples { get; init; }

    /// <summary>External margin of every candidate pair (kept or not).</summary>
    public required IReadOnlyList<double> CandidateMargins { get; init; }

    /// <summary>Aggregated probability of every candidate pair.</summary>
    public required IReadOnlyList<double> CandidateProbabilities { get; init; }

    /// <summary>The lowest probability among kept pairs (the selection threshold), or NaN when all were kept.</summary>
    public double KeepThreshold { get; init; } = double.NaN;

    /// <summary>The margin below which kept pairs went to SFT, or NaN without routing.</summary>
    public double RouteThreshold { get; init; } = double.NaN;

    /// <summary>Comparisons flagged by robust PCA, per prompt.</summary>
    public required IReadOnlyList<int> FlaggedPerPrompt { get; init; }

    /// <summary>Kendall τ between raw and denoised ranking, per prompt (NaN where undefined).</summary>
    public required IReadOnlyList<double> KendallTauPerPrompt { get; init; }

    /// <summary>Mean reward of each prompt's best sample (chosen quality, SCIENCE.md §7).</summary>
    public double MeanBestReward { get; init; }

    public required IReadOnlyList<TrainProgress> Training { get; init; }
}

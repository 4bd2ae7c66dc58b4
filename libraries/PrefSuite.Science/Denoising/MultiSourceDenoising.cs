namespace PrefSuite.Science.Denoising;

/// <summary>Why denoising left a prompt's rewards as they were, if it did.</summary>
public enum DenoiseOutcome
{
    /// <summary>Robust PCA ran; the rewards are the Bradley–Terry scores of L mapped onto the rewards' units.</summary>
    Denoised,

    /// <summary>One reward source: its comparisons agree with one ranking by construction, there is nothing to denoise.</summary>
    SingleSource,

    /// <summary>Several sources that agree up to increasing affine maps (every block of M is the same w_i − w_j): nothing to denoise.</summary>
    Consistent,

    /// <summary>No source separates any two responses.</summary>
    NoPreference,

    /// <summary>
    /// Robust PCA left no ranking in L (every comparison went to S, as happens with a handful of responses and
    /// disagreeing integer ratings): nothing is recovered, so the combined rewards are kept rather than flattened.
    /// </summary>
    NoLowRankRanking,
}

/// <summary>The denoised rewards of one prompt and how they were reached.</summary>
/// <param name="Rewards">One per response, in the units of the combined reward.</param>
/// <param name="Ranking">The robust PCA result; null unless <see cref="Outcome"/> is Denoised.</param>
public sealed record MultiSourceResult(double[] Rewards, DenoiseOutcome Outcome, DenoisedRanking? Ranking);

/// <summary>
/// Denoising one prompt scored by several reward sources (reward models, heads, judges; SCIENCE.md §5): each source's
/// Bradley–Terry logits side by side (<see cref="PreferenceMatrix.PerSourceComparisons"/>), robust PCA splits M = L + S,
/// and the scores are read from L (w_i = the mean of row i of L).
/// </summary>
/// <remarks>
/// Data that is already consistent is returned unchanged: with one source, or with sources whose comparisons all agree
/// (equal up to increasing affine maps), robust PCA could only move mass into S where nothing is corrupted — principal component
/// pursuit prefers to put an extreme row in S, which "compresses extremes" and changes which sample sits at μ − 2σ.
/// Otherwise the denoised reward is a + b·w_i with w the row means of L and (a, b) the Theil–Sen fit of the combined
/// rewards on w (b = the median of the pairwise slopes, a = the median of c − b·w; a match of median and spread when
/// b is not positive): L decides order and relative gaps, the combined reward keeps the units margins are measured
/// in. Theil–Sen rather than least squares because the combined reward of a corrupted response is itself corrupted:
/// a few such points must not set the scale; when the combined reward is an increasing affine function of w the fit
/// is exact.
/// </remarks>
public static class MultiSourceDenoising
{
    public static MultiSourceResult Denoise(IReadOnlyList<double[]> rewardsBySource, double[] combined, RobustPcaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rewardsBySource);
        ArgumentNullException.ThrowIfNull(combined);
        if (rewardsBySource.Count == 1)
        {
            return new MultiSourceResult((double[])combined.Clone(), DenoiseOutcome.SingleSource, null);
        }

        if (rewardsBySource.Any(r => r.Length != combined.Length))
        {
            throw new ArgumentException($"{combined.Length} combined rewards; every source must give one reward per response.", nameof(combined));
        }

        if (PreferenceMatrix.PerSourceComparisons(rewardsBySource) is not { } comparisons)
        {
            return new MultiSourceResult((double[])combined.Clone(), DenoiseOutcome.NoPreference, null);
        }

        if (comparisons.Sources.Length == 1 || PreferenceMatrix.SourcesAgree(rewardsBySource))
        {
            return new MultiSourceResult((double[])combined.Clone(), DenoiseOutcome.Consistent, null);
        }

        var decomposition = RobustPca.Decompose(comparisons.Matrix, null, options);
        var raw = PreferenceMatrix.RowMeanScores(comparisons.Matrix);
        var scores = PreferenceMatrix.RowMeanScores(decomposition.LowRank);
        var ranking = new DenoisedRanking(decomposition, raw, scores, Statistics.KendallTau.TauB(raw, scores));
        var scale = scores.Max(Math.Abs);
        if (!(scores.Max() - scores.Min() > 1e-9 * Math.Max(scale, 1e-300)))
        {
            return new MultiSourceResult((double[])combined.Clone(), DenoiseOutcome.NoLowRankRanking, ranking);
        }

        return new MultiSourceResult(OntoUnits(scores, combined), DenoiseOutcome.Denoised, ranking);
    }

    /// <summary>a + b·w fitted to <paramref name="combined"/> by Theil–Sen; median and spread matched when the slope is not positive.</summary>
    internal static double[] OntoUnits(double[] w, double[] combined)
    {
        var slopes = new List<double>(w.Length * (w.Length - 1) / 2);
        for (var i = 0; i < w.Length; i++)
        {
            for (var j = i + 1; j < w.Length; j++)
            {
                if (w[j] != w[i])
                {
                    slopes.Add((combined[j] - combined[i]) / (w[j] - w[i]));
                }
            }
        }

        var slope = slopes.Count == 0 ? 0 : Median(slopes);
        if (!(slope > 0))
        {
            var wSpread = PreferenceMatrix.Spread(w);
            slope = wSpread > 0 ? PreferenceMatrix.Spread(combined) / wSpread : 0;
        }

        var intercept = Median(combined.Select((c, i) => c - (slope * w[i])).ToList());
        return w.Select(x => intercept + (slope * x)).ToArray();
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}

using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Science.Denoising;

/// <summary>Pairwise preference matrices of one prompt's responses (SCIENCE.md §5).</summary>
public static class PreferenceMatrix
{
    /// <summary>
    /// The per-source comparison matrix of one prompt: [M_1 | M_2 | … | M_K] (n × n·K), M_k[i,j] = logit σ((r^k_i − r^k_j)/τ_k)
    /// = z^k_i − z^k_j, source k's Bradley–Terry logit of y_i over y_j. τ_k is the source's own spread over the prompt's
    /// responses (1.4826·MAD, or the standard deviation when half or more of its rewards are equal), so a source's units
    /// do not matter. When the sources agree (up to increasing affine maps) every block is the same w_i − w_j and the
    /// matrix has rank 2; a source that is wrong about some responses changes only its own block, a small part of the
    /// whole, which robust PCA puts in S while the rank-2 consensus of the other blocks stays in L. A source whose
    /// rewards are all equal states no preference and is left out.
    /// </summary>
    /// <remarks>
    /// SCIENCE.md §5 aggregates the sources first (M = logit of the mean win probability). That averaging bounds each
    /// source's influence to 1/K of the probability, and one source's error on one response then moves a whole row and
    /// column of an n×n matrix — a rank-2 change that principal component pursuit absorbs into L: on the planted test
    /// (twelve responses, four agreeing sources, one that rates the two worst responses best) the aggregated matrix's L
    /// ranked with Kendall τ 0.85 against the truth and left S small when measured during development, while this
    /// side-by-side matrix gives τ = 1 with S concentrated in the corrupted source's block (PreferenceDenoisingTests).
    /// Neither averages raw differences r_i − r_j across sources, whose matrix is rank 2 whatever the sources say.
    /// </remarks>
    /// <returns>The matrix and the indices of the sources it holds, or null when no source separates any two responses.</returns>
    public static (DenseMatrix Matrix, int[] Sources)? PerSourceComparisons(IReadOnlyList<double[]> rewardsBySource)
    {
        var standardized = Standardized(rewardsBySource);
        if (standardized.Count == 0)
        {
            return null;
        }

        var n = rewardsBySource[0].Length;
        var k = standardized.Count;
        var matrix = new DenseMatrix(n, n * k);
        for (var b = 0; b < k; b++)
        {
            var z = standardized[b].Z;
            for (var i = 0; i < n; i++)
            {
                var row = matrix.Row(i).Slice(b * n, n);
                for (var j = 0; j < n; j++)
                {
                    row[j] = z[i] - z[j];
                }
            }
        }

        return (matrix, standardized.Select(s => s.Source).ToArray());
    }

    /// <summary>
    /// Whether the sources agree: every source that separates the responses is an increasing affine map of the others
    /// (equal standardized differences, to <paramref name="relativeTolerance"/> of the largest). Such sources have
    /// nothing to denoise.
    /// </summary>
    public static bool SourcesAgree(IReadOnlyList<double[]> rewardsBySource, double relativeTolerance = 1e-9)
    {
        var standardized = Standardized(rewardsBySource);
        if (standardized.Count <= 1)
        {
            return true;
        }

        var first = Centered(standardized[0].Z);
        var limit = relativeTolerance * Math.Max(first.Max(Math.Abs), double.Epsilon);
        foreach (var (_, z) in standardized.Skip(1))
        {
            var centered = Centered(z);
            for (var i = 0; i < first.Length; i++)
            {
                if (Math.Abs(centered[i] - first[i]) > limit)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static double[] Centered(double[] z)
    {
        var mean = z.Average();
        return z.Select(v => v - mean).ToArray();
    }

    private static List<(int Source, double[] Z)> Standardized(IReadOnlyList<double[]> rewardsBySource)
    {
        ArgumentNullException.ThrowIfNull(rewardsBySource);
        if (rewardsBySource.Count == 0)
        {
            throw new ArgumentException("At least one reward source is needed.", nameof(rewardsBySource));
        }

        var n = rewardsBySource[0].Length;
        var result = new List<(int, double[])>(rewardsBySource.Count);
        for (var k = 0; k < rewardsBySource.Count; k++)
        {
            var rewards = rewardsBySource[k];
            if (rewards.Length != n)
            {
                throw new ArgumentException($"Reward sources disagree on the number of responses ({rewards.Length} and {n}).", nameof(rewardsBySource));
            }

            if (Array.FindIndex(rewards, r => !double.IsFinite(r)) is var bad and >= 0)
            {
                throw new ArgumentException($"Source {k} gives response {bad} the reward {rewards[bad]}; rewards must be finite.", nameof(rewardsBySource));
            }

            var spread = Spread(rewards);
            if (spread > 0)
            {
                result.Add((k, rewards.Select(r => r / spread).ToArray()));
            }
        }

        return result;
    }

    /// <summary>
    /// Whether M is a Bradley–Terry matrix, M[i,j] = w_i − w_j, to within <paramref name="relativeTolerance"/> of its
    /// largest entry; <paramref name="scores"/> are then its row means (w up to a constant). Such a matrix has nothing
    /// to denoise: every comparison agrees with one ranking.
    /// </summary>
    public static bool IsBradleyTerry(DenseMatrix matrix, out double[] scores, double relativeTolerance = 1e-9)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        scores = RowMeanScores(matrix);
        var limit = relativeTolerance * Math.Max(matrix.MaxAbs(), double.Epsilon);
        for (var i = 0; i < matrix.Rows; i++)
        {
            for (var j = 0; j < matrix.Columns; j++)
            {
                if (Math.Abs(matrix[i, j] - (scores[i] - scores[j])) > limit)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Bradley–Terry scores from a preference matrix: w_i = the mean of row i over its observed entries. For the clean
    /// L[i,j] = w_i − w_j this recovers w up to a constant.
    /// </summary>
    public static double[] RowMeanScores(DenseMatrix matrix, bool[]? observed = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var scores = new double[matrix.Rows];
        for (var i = 0; i < matrix.Rows; i++)
        {
            double sum = 0;
            var count = 0;
            for (var j = 0; j < matrix.Columns; j++)
            {
                var index = (i * matrix.Columns) + j;
                if (observed is null || observed[index])
                {
                    sum += matrix.Data[index];
                    count++;
                }
            }

            scores[i] = count == 0 ? double.NaN : sum / count;
        }

        return scores;
    }

    /// <summary>A robust spread: 1.4826·MAD (a consistent σ for normal data), or the standard deviation when the MAD is 0.</summary>
    internal static double Spread(IReadOnlyList<double> values)
    {
        var median = Median(values);
        var mad = 1.4826 * Median(values.Select(v => Math.Abs(v - median)).ToArray());
        if (mad > 0)
        {
            return mad;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

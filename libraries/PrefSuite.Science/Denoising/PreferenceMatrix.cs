using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Science.Denoising;

/// <summary>Pairwise preference matrices of one prompt's responses (SCIENCE.md §5).</summary>
public static class PreferenceMatrix
{
    /// <summary>
    /// M[i,j] = the mean over reward sources of r_i − r_j: the Bradley–Terry logit of y_i over y_j. Each source gives
    /// one reward per response; with one source M is exactly skew-symmetric of rank 2, and disagreements between
    /// sources appear as the sparse part.
    /// </summary>
    public static DenseMatrix FromRewards(IReadOnlyList<double[]> rewardsBySource)
    {
        ArgumentNullException.ThrowIfNull(rewardsBySource);
        if (rewardsBySource.Count == 0)
        {
            throw new ArgumentException("At least one reward source is needed.", nameof(rewardsBySource));
        }

        var n = rewardsBySource[0].Length;
        var matrix = new DenseMatrix(n, n);
        foreach (var rewards in rewardsBySource)
        {
            if (rewards.Length != n)
            {
                throw new ArgumentException($"Reward sources disagree on the number of responses ({rewards.Length} and {n}).", nameof(rewardsBySource));
            }

            for (var i = 0; i < n; i++)
            {
                if (!double.IsFinite(rewards[i]))
                {
                    throw new ArgumentException($"Reward {i} is {rewards[i]}; rewards must be finite.", nameof(rewardsBySource));
                }

                var row = matrix.Row(i);
                for (var j = 0; j < n; j++)
                {
                    row[j] += (rewards[i] - rewards[j]) / rewardsBySource.Count;
                }
            }
        }

        return matrix;
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
}

using PrefSuite.Science.Denoising;
using PrefSuite.Science.LinearAlgebra;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Denoising;

public class PreferenceDenoisingTests
{
    [Fact]
    public void OneRewardSourceGivesASkewSymmetricRankTwoMatrix()
    {
        var m = PreferenceMatrix.FromRewards([[0.1, 0.5, 0.3]]);
        Assert.Equal([0, -0.4, -0.2, 0.4, 0, 0.2, 0.2, -0.2, 0], m.Data.Select(v => Math.Round(v, 12)));
        var twoSources = PreferenceMatrix.FromRewards([[0, 1], [0, 3]]);
        Assert.Equal(-2, twoSources[0, 1], 12);
    }

    [Fact]
    public void RowMeansRecoverBradleyTerryScoresUpToAConstant()
    {
        double[] w = [0.1, 0.5, 0.3, -0.2];
        var scores = PreferenceMatrix.RowMeanScores(PreferenceMatrix.FromRewards([w]));
        var mean = w.Average();
        Assert.Equal(w.Select(x => Math.Round(x - mean, 12)), scores.Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void FlippedComparisonsAreFlaggedAndTheTrueRankingRecovered()
    {
        var (m, w, flipped) = Planted.BradleyTerryWithFlips(120, 0.03, 8);
        var ranking = PreferenceDenoising.Denoise(m);

        Assert.True(ranking.Decomposition.Converged);
        Assert.Equal(2, ranking.Decomposition.Rank);
        Assert.Equal(1.0, KendallTau.TauB(w, ranking.DenoisedScores), 12);
        // Each flip corrupts M[i,j] and M[j,i].
        Assert.Equal(2 * flipped, ranking.Decomposition.Flagged);
        Assert.True(KendallTau.TauB(w, ranking.RawScores) <= 1.0);
        Assert.Equal(KendallTau.TauB(ranking.RawScores, ranking.DenoisedScores), ranking.KendallTau, 12);
    }

    [Fact]
    public void NonSquarePreferenceMatricesAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => PreferenceDenoising.Denoise(new DenseMatrix(2, 3)));
        Assert.Contains("2×3", error.Message, StringComparison.Ordinal);
    }
}

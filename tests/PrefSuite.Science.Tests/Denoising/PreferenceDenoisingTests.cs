using CsCheck;
using PrefSuite.Science.Denoising;
using PrefSuite.Science.LinearAlgebra;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Denoising;

public class PreferenceDenoisingTests
{
    [Fact]
    public void EachSourceGivesItsStandardizedDifferencesSideBySide()
    {
        // Source 0: 0.1, 0.5, 0.3: median 0.3, absolute deviations 0.2, 0.2, 0 → MAD 0.2, τ = 1.4826·0.2 = 0.29652.
        // Source 1: 0, 2, 1: MAD 1, τ = 1.4826. Source 2 is flat and left out.
        var (m, sources) = PreferenceMatrix.PerSourceComparisons([[0.1, 0.5, 0.3], [0, 2, 1], [4, 4, 4]])!.Value;
        Assert.Equal((3, 6), (m.Rows, m.Columns));
        Assert.Equal([0, 1], sources);
        Assert.Equal(-0.4 / 0.29652, m[0, 1], 12);
        Assert.Equal(0.2 / 0.29652, m[1, 2], 12);
        Assert.Equal(-2 / 1.4826, m[0, 3 + 1], 12);
        Assert.Equal(1 / 1.4826, m[2, 3 + 0], 12);
        Assert.Null(PreferenceMatrix.PerSourceComparisons([[1, 1, 1], [2, 2, 2]]));
    }

    [Fact]
    public void SourcesAgreeExactlyWhenTheyAreIncreasingAffineMapsOfOneAnother()
    {
        Assert.True(PreferenceMatrix.SourcesAgree([[0, 1, 3], [10, 20, 40], [-1, -0.5, 0.5]]));
        Assert.False(PreferenceMatrix.SourcesAgree([[0, 1, 3], [0, 2, 3]]));
        Assert.False(PreferenceMatrix.SourcesAgree([[0, 1, 3], [3, 1, 0]]));
    }

    [Fact]
    public void ConsistentSourcesChangeNothing()
    {
        // Any number of sources that are increasing affine transforms of one another: the rewards come back unchanged.
        Gen.Select(Gen.Int[-40, 40].Array[2, 30], Gen.Double[0.01, 100].Array[2, 5], Gen.Double[-10, 10]).Sample((ints, scales, shift) =>
        {
            var truth = ints.Select(i => i / 8.0).ToArray();
            if (truth.Min() == truth.Max())
            {
                return;
            }

            var sources = scales.Select(s => truth.Select(t => (s * t) + shift).ToArray()).ToArray();
            var combined = truth.Select(t => (0.3 * t) + 1).ToArray();
            var result = MultiSourceDenoising.Denoise(sources, combined);
            Assert.Equal(DenoiseOutcome.Consistent, result.Outcome);
            Assert.Equal(combined, result.Rewards);
        });
    }

    [Fact]
    public void ASingleJudgeIsPassedThrough()
    {
        double[] rewards = [0.9, 0.1, 0.5];
        var result = MultiSourceDenoising.Denoise([rewards], rewards);
        Assert.Equal(DenoiseOutcome.SingleSource, result.Outcome);
        Assert.Equal(rewards, result.Rewards);
        Assert.Null(result.Ranking);
    }

    [Fact]
    public void APlantedCorruptedSourceIsFlaggedAndTheRankingRecovered()
    {
        // Twelve responses; four sources agree (different units and offsets); a fifth is reward-hacked: it gives the
        // two worst responses (10 and 11) the highest rewards of all.
        var truth = Enumerable.Range(0, 12).Select(i => 1.0 - (0.08 * i) + (0.01 * Math.Sin(i))).ToArray();
        double[][] honest = [truth, [.. truth.Select(t => 10 * t)], [.. truth.Select(t => (3 * t) - 1)], [.. truth.Select(t => (0.5 * t) + 7)]];
        var hacked = (double[])truth.Clone();
        hacked[10] = 5;
        hacked[11] = 4;
        double[][] sources = [.. honest, hacked];
        var combined = truth.Select((t, i) => sources.Average(s => s[i])).ToArray();

        // The old construction (mean of r_i − r_j) is exactly rank 2, so robust PCA could not move anything: its ranking
        // is the mean reward's, which lifts the hacked responses above others.
        var oldScores = Enumerable.Range(0, 12).Select(i => sources.Average(s => s[i])).ToArray();
        Assert.True(KendallTau.TauB(truth, oldScores) < 0.9);
        Assert.False(PreferenceMatrix.SourcesAgree(sources));

        var result = MultiSourceDenoising.Denoise(sources, combined);
        Assert.Equal(DenoiseOutcome.Denoised, result.Outcome);
        var decomposition = result.Ranking!.Decomposition;
        Assert.True(decomposition.Converged);
        Assert.True(decomposition.Flagged > 0);
        // S lies in the corrupted source's block (columns 48–59), and within it the hacked responses' rows carry the most.
        var blockMass = new double[5];
        for (var i = 0; i < 12; i++)
        {
            for (var c = 0; c < 60; c++)
            {
                blockMass[c / 12] += Math.Abs(decomposition.Sparse[i, c]);
            }
        }

        Assert.True(blockMass[4] > 10 * blockMass.Take(4).Sum());
        var rowMass = Enumerable.Range(0, 12).Select(i => Enumerable.Range(48, 12).Sum(c => Math.Abs(decomposition.Sparse[i, c]))).ToArray();
        Assert.Equal([10, 11], rowMass.Select((m, i) => (m, i)).OrderByDescending(x => x.m).Take(2).Select(x => x.i).Order());
        Assert.Equal(1.0, KendallTau.TauB(truth, result.Rewards), 12);
    }

    [Fact]
    public void RowMeansRecoverBradleyTerryScoresUpToAConstant()
    {
        double[] w = [0.1, 0.5, 0.3, -0.2];
        var m = new DenseMatrix(4, 4);
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                m[i, j] = w[i] - w[j];
            }
        }

        var scores = PreferenceMatrix.RowMeanScores(m);
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

public class DenoisedUnitsTests
{
    [Fact]
    public void TheUnitsFitIsExactForAnAffineCombinedRewardAndIgnoresAFewCorruptedPoints()
    {
        double[] w = [-2, -1, 0, 1, 2, 3];
        Assert.Equal([1.0, 3.0, 5.0, 7.0, 9.0, 11.0], MultiSourceDenoising.OntoUnits(w, [1, 3, 5, 7, 9, 11]).Select(v => Math.Round(v, 12)));

        // One corrupted combined reward (50 instead of 11): the median of the pairwise slopes stays 2, the intercept 5.
        Assert.Equal([1.0, 3.0, 5.0, 7.0, 9.0, 11.0], MultiSourceDenoising.OntoUnits(w, [1, 3, 5, 7, 9, 50]).Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void WhenRobustPcaLeavesNoRankingTheCombinedRewardsAreKeptNotFlattened()
    {
        // An UltraFeedback prompt (four completions, four aspect ratings 1-5) on which every comparison lands in S.
        double[][] sources = [[5, 4, 2, 1], [5, 5, 5, 2], [5, 5, 2, 3], [5, 5, 5, 1]];
        double[] combined = [5, 4.75, 3.5, 1.75];
        var result = MultiSourceDenoising.Denoise(sources, combined);
        Assert.Equal(DenoiseOutcome.NoLowRankRanking, result.Outcome);
        Assert.Equal(combined, result.Rewards);
    }
}

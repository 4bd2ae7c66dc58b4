using PrefSuite.Science.Denoising;
using PrefSuite.Science.LinearAlgebra;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Science.Tests.Denoising;

public class RobustPcaTests
{
    [Theory]
    [InlineData(100, 5, 11UL)]
    [InlineData(200, 10, 12UL)]
    public void RecoversAPlantedLowRankPlusSparseMatrix(int n, int rank, ulong seed)
    {
        // SCIENCE.md §5: rank 5%·n with 5% corruptions converges in about 23 iterations to ≤ 1e-7 relative error.
        var (m, l, s) = Planted.LowRankPlusSparse(n, rank, 0.05, seed);
        var result = RobustPca.Decompose(m);

        Assert.True(result.Converged);
        Assert.True(result.Residual < 1e-7);
        Assert.InRange(result.Iterations, 15, 40);
        Assert.Equal(rank, result.Rank);
        Assert.True(Planted.RelativeError(result.LowRank, l) <= 1e-6, $"L error {Planted.RelativeError(result.LowRank, l)}");
        Assert.True(Planted.RelativeError(result.Sparse, s) <= 1e-6, $"S error {Planted.RelativeError(result.Sparse, s)}");
        Assert.Equal(s.Data.Count(v => v != 0), result.Flagged);
    }

    [Fact]
    public void FullAndTruncatedSvdAgree()
    {
        var (m, _, _) = Planted.LowRankPlusSparse(60, 3, 0.05, 5);
        var auto = RobustPca.Decompose(m);
        var full = RobustPca.Decompose(m, options: new RobustPcaOptions { Svd = SvdMode.Full });
        Assert.Equal(full.Iterations, auto.Iterations);
        Assert.True(Planted.RelativeError(auto.LowRank, full.LowRank) < 1e-8);
        Assert.Equal(full.Iterations, full.FullSvdIterations);
        Assert.True(auto.FullSvdIterations < auto.Iterations);
    }

    [Fact]
    public void CompletesMissingEntriesWhileRemovingCorruption()
    {
        var (m, l, s) = Planted.LowRankPlusSparse(150, 4, 0.03, 21);
        var rng = new SplitMix64(3);
        var observed = new bool[m.Data.Length];
        for (var i = 0; i < observed.Length; i++)
        {
            observed[i] = rng.NextDouble() >= 0.2;
            if (!observed[i])
            {
                m.Data[i] = double.NaN; // unobserved entries may hold anything
            }
        }

        var result = RobustPca.Decompose(m, observed);
        Assert.True(result.Converged);
        Assert.True(Planted.RelativeError(result.LowRank, l) < 1e-4, $"L error {Planted.RelativeError(result.LowRank, l)}");
        var plantedObserved = s.Data.Where((v, i) => v != 0 && observed[i]).Count();
        Assert.Equal(plantedObserved, result.Flagged);
        Assert.All(Enumerable.Range(0, observed.Length).Where(i => !observed[i]), i => Assert.Equal(0, result.Sparse.Data[i]));
    }

    [Fact]
    public void ObservedNonFiniteEntriesAreNamed()
    {
        var m = new DenseMatrix(2, 2, [0, 1, double.PositiveInfinity, 0]);
        var error = Assert.Throws<ArgumentException>(() => RobustPca.Decompose(m));
        Assert.Contains("(2, 1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaskOfTheWrongSizeIsRejected()
    {
        Assert.Throws<ArgumentException>(() => RobustPca.Decompose(new DenseMatrix(2, 2), new bool[3]));
        Assert.Throws<ArgumentException>(() => RobustPca.Decompose(new DenseMatrix(2, 2), new bool[4]));
    }

    [Fact]
    public void AZeroMatrixDecomposesIntoZeros()
    {
        var result = RobustPca.Decompose(new DenseMatrix(3, 3));
        Assert.True(result.Converged);
        Assert.Equal(0, result.Rank);
    }
}

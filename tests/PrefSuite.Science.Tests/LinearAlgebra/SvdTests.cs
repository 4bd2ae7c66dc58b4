using PrefSuite.Science.LinearAlgebra;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Science.Tests.LinearAlgebra;

public class SvdTests
{
    [Fact]
    public void JacobiSvdOfAKnownMatrix()
    {
        // [[3, 0], [4, 5]] has singular values √45 and √5 (σ₁² + σ₂² = 50, σ₁σ₂ = 15).
        var svd = JacobiSvd.Full(DenseMatrix.FromRows([[3, 0], [4, 5]]));
        Assert.Equal(Math.Sqrt(45), svd.Values[0], 12);
        Assert.Equal(Math.Sqrt(5), svd.Values[1], 12);
    }

    [Theory]
    [InlineData(7, 5)]
    [InlineData(5, 7)]
    [InlineData(30, 30)]
    public void JacobiSvdReconstructsTheMatrixWithOrthonormalVectors(int rows, int columns)
    {
        var x = Random(rows, columns, 4);
        var svd = JacobiSvd.Full(x);
        var rebuilt = new DenseMatrix(rows, columns);
        for (var c = 0; c < svd.Count; c++)
        {
            for (var i = 0; i < rows; i++)
            {
                VectorOps.AddScaled(svd.Values[c] * svd.LeftRows[c, i], svd.RightRows.Row(c), rebuilt.Row(i));
            }
        }

        Assert.True(Distance(rebuilt, x) < 1e-12 * x.FrobeniusNorm());
        for (var c = 0; c < Math.Min(rows, columns); c++)
        {
            Assert.Equal(1.0, VectorOps.Dot(svd.RightRows.Row(c), svd.RightRows.Row(c)), 10);
            Assert.Equal(1.0, VectorOps.Dot(svd.LeftRows.Row(c), svd.LeftRows.Row(c)), 10);
        }

        Assert.True(svd.Values.Zip(svd.Values.Skip(1)).All(p => p.First >= p.Second));
    }

    [Fact]
    public void TruncatedSvdMatchesTheLeadingValuesOfTheFullSvd()
    {
        // Rank 5 plus small noise: a spectrum with a gap, like the matrices robust PCA feeds it.
        var x = Random(120, 90, 9, rank: 5, noise: 1e-3);
        var full = JacobiSvd.Full(x);
        var truncated = new TruncatedSvd().Leading(x, 8);
        for (var c = 0; c < 5; c++)
        {
            Assert.Equal(full.Values[c], truncated.Values[c], 8);
            // Singular vectors agree up to sign.
            Assert.Equal(1.0, Math.Abs(VectorOps.Dot(full.RightRows.Row(c), truncated.RightRows.Row(c))), 6);
        }
    }

    private static DenseMatrix Random(int rows, int columns, ulong seed, int rank = 0, double noise = 1)
    {
        var rng = new SplitMix64(seed);
        var x = new DenseMatrix(rows, columns);
        for (var i = 0; i < x.Data.Length; i++)
        {
            x.Data[i] = noise * rng.NextGaussian();
        }

        for (var r = 0; r < rank; r++)
        {
            var u = Enumerable.Range(0, rows).Select(_ => rng.NextGaussian()).ToArray();
            var v = Enumerable.Range(0, columns).Select(_ => rng.NextGaussian()).ToArray();
            for (var i = 0; i < rows; i++)
            {
                VectorOps.AddScaled(u[i], v, x.Row(i));
            }
        }

        return x;
    }

    private static double Distance(DenseMatrix a, DenseMatrix b) =>
        Math.Sqrt(a.Data.Zip(b.Data).Sum(p => (p.First - p.Second) * (p.First - p.Second)));
}

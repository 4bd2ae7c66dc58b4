using PrefSuite.Science.LinearAlgebra;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Science.Tests.LinearAlgebra;

public class TruncatedSvdCertificateTests
{
    [Fact]
    public void ASingularValueOrthogonalToTheWarmBlockIsNotMissed()
    {
        // Call 1 warms the block on a rank-2 matrix (σ = 10, 5). Call 2 adds 3·u₃v₃ᵀ with v₃ orthogonal to every warm
        // right vector and u₃ to every left one, keeping the expected count (so the block size) the same: a warm block
        // without fresh probes never sees v₃ (X·v = X₁·v for v in its span) and returns only 10 and 5.
        var (a, _, _) = Orthonormal(120, 3, seed: 1);
        var x1 = Sum(120, (10, a[0], a[1]), (5, a[2], a[3]));
        var svd = new TruncatedSvd(seed: 7);
        var first = svd.Above(x1, 1, expectedCount: 2);
        Assert.Equal([10.0, 5.0], first.Values.Take(2).Select(v => Math.Round(v, 9)));

        var rng = new SplitMix64(99);
        var v3 = OrthogonalTo(first.RightRows, 120, ref rng);
        var u3 = OrthogonalTo(first.LeftRows, 120, ref rng);
        var x2 = Sum(120, (10, a[0], a[1]), (5, a[2], a[3]), (3, u3, v3));
        var second = svd.Above(x2, 1, expectedCount: 2);
        Assert.Equal([10.0, 5.0, 3.0], second.Values.Where(v => v > 1).Select(v => Math.Round(v, 9)));
        Assert.NotEqual(SvdCertificate.None, svd.LastCertificate);
    }

    [Fact]
    public void TheLanczosCertificateRefusesADeflationThatMissesAValueAboveTheThreshold()
    {
        // σ = 10, 5, 3 and noise below 0.2: deflating by the top two leaves ‖D‖ = 3 > τ = 1 — never certified; deflating
        // by all three leaves ‖D‖ ≤ 0.2 — certified.
        var (x, left) = Spectrum(150, [10, 5, 3], noise: 0.2, seed: 3);
        var svd = new TruncatedSvd(seed: 11);
        Assert.Equal((SvdCertificate.None, 1), svd.LanczosBound(x, left, deflated: 2, tau2: 1));
        Assert.Equal((SvdCertificate.Lanczos, 0), svd.LanczosBound(x, left, deflated: 3, tau2: 1));
        Assert.InRange(svd.LastLanczosSteps, 2, 64);
    }

    [Fact]
    public void ManyValuesJustAboveTheThresholdAreAllReturnedThoughFewWereExpected()
    {
        // Twenty singular values at 1.5 above τ = 1, two expected: the first block (2 + 6) is full of values above τ and
        // must grow rather than accept; the result holds all twenty.
        var values = Enumerable.Repeat(1.5, 20).Prepend(8.0).Prepend(9.0).ToArray();
        var (x, _) = Spectrum(200, values, noise: 0.3, seed: 5);
        var svd = new TruncatedSvd(seed: 13);
        var result = svd.Above(x, 1, expectedCount: 2);
        Assert.Equal(22, result.Values.Count(v => v > 1));
    }

    [Theory]
    [InlineData(90, 4, 21UL)]
    [InlineData(160, 9, 22UL)]
    public void AWarmSequenceAgreesWithTheFullSvdAboveTheThreshold(int n, int rank, ulong seed)
    {
        // Slowly changing matrices, as robust PCA gives them, plus a jump to a new direction half-way.
        var svd = new TruncatedSvd(seed: seed);
        var rng = new SplitMix64(seed);
        var (x, _) = Spectrum(n, Enumerable.Range(0, rank).Select(i => 10.0 / (i + 1)).ToArray(), noise: 0.05, seed: seed);
        var expected = rank;
        for (var step = 0; step < 8; step++)
        {
            for (var i = 0; i < x.Data.Length; i++)
            {
                x.Data[i] += 0.01 * rng.NextGaussian();
            }

            if (step == 4)
            {
                var (jump, _) = Spectrum(n, [4.0], noise: 0, seed: seed + 100);
                for (var i = 0; i < x.Data.Length; i++)
                {
                    x.Data[i] += jump.Data[i];
                }
            }

            var tau = 0.9;
            var truncated = svd.Above(x, tau, expected);
            var full = JacobiSvd.Full(x);
            var want = full.Values.Where(v => v > tau).ToArray();
            var got = truncated.Values.Where(v => v > tau).ToArray();
            Assert.Equal(want.Length, got.Length);
            Assert.All(want.Zip(got), p => Assert.Equal(p.First, p.Second, 9));
            expected = got.Length;
        }
    }

    [Fact]
    public void LapackAndJacobiAgreeWhenLapackIsInstalled()
    {
        var (x, _) = Spectrum(70, [5, 4, 3, 2, 1], noise: 0.1, seed: 8);
        var jacobi = JacobiSvd.Full(x);
        var full = FullSvd.Compute(x);
        Assert.All(jacobi.Values.Zip(full.Values), p => Assert.Equal(p.First, p.Second, 10));
        if (FullSvd.Lapack(x) is { } lapack)
        {
            for (var c = 0; c < 5; c++)
            {
                Assert.Equal(1.0, Math.Abs(VectorOps.Dot(lapack.RightRows.Row(c), jacobi.RightRows.Row(c))), 8);
                Assert.Equal(1.0, Math.Abs(VectorOps.Dot(lapack.LeftRows.Row(c), jacobi.LeftRows.Row(c))), 8);
            }
        }
    }

    [Fact]
    public void TridiagonalLargestEigenvalueMatchesAHandDerivedValue()
    {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3; [[1, 1, 0], [1, 1, 1], [0, 1, 1]] has 1 + √2.
        Assert.Equal(3, TruncatedSvd.LargestEigenvalue([2, 2], [1]), 12);
        Assert.Equal(1 + Math.Sqrt(2), TruncatedSvd.LargestEigenvalue([1, 1, 1], [1, 1]), 12);
    }

    /// <summary>X = Σ σ_c·u_c·v_cᵀ with random orthonormal u, v plus Gaussian noise scaled to spectral norm about <paramref name="noise"/>.</summary>
    private static (DenseMatrix X, DenseMatrix Left) Spectrum(int n, double[] values, double noise, ulong seed)
    {
        var (basis, _, _) = Orthonormal(n, values.Length, seed);
        var left = new DenseMatrix(values.Length, n);
        var x = new DenseMatrix(n, n);
        var rng = new SplitMix64(seed + 1);
        for (var i = 0; i < x.Data.Length; i++)
        {
            x.Data[i] = noise / (2 * Math.Sqrt(n)) * rng.NextGaussian(); // ‖G‖₂ ≈ 2√n for an n×n Gaussian
        }

        for (var c = 0; c < values.Length; c++)
        {
            basis[2 * c].CopyTo(left.Row(c));
            for (var i = 0; i < n; i++)
            {
                VectorOps.AddScaled(values[c] * basis[2 * c][i], basis[(2 * c) + 1], x.Row(i));
            }
        }

        return (x, left);
    }

    /// <summary>2·count orthonormal vectors of length n (u₁, v₁, u₂, v₂, …).</summary>
    private static (double[][] Vectors, int Count, int N) Orthonormal(int n, int count, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var rows = new DenseMatrix(2 * count, n);
        for (var i = 0; i < rows.Data.Length; i++)
        {
            rows.Data[i] = rng.NextGaussian();
        }

        Orthonormalization.Rows(rows);
        return (Enumerable.Range(0, 2 * count).Select(r => rows.Row(r).ToArray()).ToArray(), count, n);
    }

    private static double[] OrthogonalTo(DenseMatrix rows, int n, ref SplitMix64 rng)
    {
        var v = new double[n];
        for (var i = 0; i < n; i++)
        {
            v[i] = rng.NextGaussian();
        }

        for (var pass = 0; pass < 2; pass++)
        {
            for (var r = 0; r < rows.Rows; r++)
            {
                var q = rows.Row(r);
                var norm2 = VectorOps.Dot(q, q);
                if (norm2 > 0)
                {
                    VectorOps.AddScaled(-VectorOps.Dot(q, v) / norm2, q, v);
                }
            }
        }

        VectorOps.Scale(1 / Math.Sqrt(VectorOps.Dot(v, v)), v);
        return v;
    }

    private static DenseMatrix Sum(int n, params (double Sigma, double[] U, double[] V)[] terms)
    {
        var x = new DenseMatrix(n, n);
        foreach (var (sigma, u, v) in terms)
        {
            for (var i = 0; i < n; i++)
            {
                VectorOps.AddScaled(sigma * u[i], v, x.Row(i));
            }
        }

        return x;
    }
}

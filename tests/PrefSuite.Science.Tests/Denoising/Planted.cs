using PrefSuite.Science.LinearAlgebra;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Science.Tests.Denoising;

/// <summary>Synthetic matrices with a known low-rank part and a known sparse corruption.</summary>
internal static class Planted
{
    /// <summary>L = A·Bᵀ with Gaussian factors of the given rank; S has the given share of entries set to ±magnitude.</summary>
    public static (DenseMatrix M, DenseMatrix L, DenseMatrix S) LowRankPlusSparse(int n, int rank, double corruption, ulong seed, double magnitude = 10)
    {
        var rng = new SplitMix64(seed);
        var a = Gaussian(n, rank, ref rng);
        var b = Gaussian(n, rank, ref rng);
        var l = new DenseMatrix(n, n);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var r = 0; r < rank; r++)
                {
                    sum += a[i, r] * b[j, r];
                }

                l[i, j] = sum / Math.Sqrt(n);
            }
        }

        var s = new DenseMatrix(n, n);
        for (var i = 0; i < s.Data.Length; i++)
        {
            if (rng.NextDouble() < corruption)
            {
                s.Data[i] = rng.NextDouble() < 0.5 ? -magnitude : magnitude;
            }
        }

        var m = l.Clone();
        for (var i = 0; i < m.Data.Length; i++)
        {
            m.Data[i] += s.Data[i];
        }

        return (m, l, s);
    }

    /// <summary>A Bradley–Terry preference matrix w_i − w_j with some comparisons flipped (both M[i,j] and M[j,i]).</summary>
    public static (DenseMatrix M, double[] W, int Flipped) BradleyTerryWithFlips(int n, double flipShare, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var w = new double[n];
        for (var i = 0; i < n; i++)
        {
            w[i] = rng.NextGaussian();
        }

        var m = new DenseMatrix(n, n);
        var flipped = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var d = w[i] - w[j];
                if (rng.NextDouble() < flipShare)
                {
                    d = -d;
                    flipped++;
                }

                m[i, j] = d;
                m[j, i] = -d;
            }
        }

        return (m, w, flipped);
    }

    public static double RelativeError(DenseMatrix estimate, DenseMatrix truth)
    {
        double diff = 0, norm = 0;
        for (var i = 0; i < truth.Data.Length; i++)
        {
            var d = estimate.Data[i] - truth.Data[i];
            diff += d * d;
            norm += truth.Data[i] * truth.Data[i];
        }

        return Math.Sqrt(diff / norm);
    }

    private static DenseMatrix Gaussian(int rows, int columns, ref SplitMix64 rng)
    {
        var g = new DenseMatrix(rows, columns);
        for (var i = 0; i < g.Data.Length; i++)
        {
            g.Data[i] = rng.NextGaussian();
        }

        return g;
    }
}

using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Benchmarks;

/// <summary>
/// The benchmark matrices, defined by formula so that benchmarks/reference/rpca_numpy.py builds the very same ones:
/// a Bradley–Terry matrix M[i,j] = w_i − w_j with w_i = sin(2.3·i) + 0.01·i, and the comparison (i, j), i &lt; j,
/// flipped (both M[i,j] and M[j,i]) when (7919·i + 104729·j) mod 100 &lt; 3: about 3% adversarial flips.
/// </summary>
public static class BenchmarkMatrices
{
    public static DenseMatrix BradleyTerryWithFlips(int n)
    {
        var w = new double[n];
        for (var i = 0; i < n; i++)
        {
            w[i] = Math.Sin(2.3 * i) + (0.01 * i);
        }

        var m = new DenseMatrix(n, n);
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var d = w[i] - w[j];
                if (((7919L * i) + (104729L * j)) % 100 < 3)
                {
                    d = -d;
                }

                m[i, j] = d;
                m[j, i] = -d;
            }
        }

        return m;
    }
}

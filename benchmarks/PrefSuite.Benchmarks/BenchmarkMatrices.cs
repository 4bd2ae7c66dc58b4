using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Benchmarks;

/// <summary>
/// The benchmark matrices, defined by formula and by a counter-based SplitMix64 so that
/// benchmarks/reference/rpca_numpy.py builds the very same ones (its docstring lists the patterns).
/// </summary>
public static class BenchmarkMatrices
{
    public static IReadOnlyList<string> Patterns { get; } = ["bt-flips", "bt-large", "bt-large-skew", "generic"];

    public static DenseMatrix Create(string pattern, int n) => pattern switch
    {
        "bt-flips" => BradleyTerryWithFlips(n),
        "bt-large" => BradleyTerryWithLargeEntries(n),
        "bt-large-skew" => BradleyTerryWithLargeComparisons(n),
        "generic" => Generic(n),
        _ => throw new ArgumentException($"Unknown pattern '{pattern}'; expected one of {string.Join(", ", Patterns)}.", nameof(pattern)),
    };

    /// <summary>
    /// M[i,j] = w_i − w_j with w_i = sin(2.3·i) + 0.01·i, and the comparison (i, j), i &lt; j, flipped (both M[i,j] and
    /// M[j,i]) when (7919·i + 104729·j) mod 100 &lt; 3: about 3% adversarial flips.
    /// </summary>
    public static DenseMatrix BradleyTerryWithFlips(int n)
    {
        var m = BradleyTerry(n);
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                if (((7919L * i) + (104729L * j)) % 100 < 3)
                {
                    m[i, j] = -m[i, j];
                    m[j, i] = -m[j, i];
                }
            }
        }

        return m;
    }

    /// <summary>The Bradley–Terry matrix with 5% of its off-diagonal entries replaced by uniform values in [−25, 25].</summary>
    public static DenseMatrix BradleyTerryWithLargeEntries(int n)
    {
        var m = BradleyTerry(n);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var k = ((long)i * n) + j;
                if (i != j && Uniform(1, k) < 0.05)
                {
                    m[i, j] = (50.0 * Uniform(2, k)) - 25.0;
                }
            }
        }

        return m;
    }

    /// <summary>The Bradley–Terry matrix with 5% of its comparisons (i &lt; j) replaced by v in [−25, 25], M[j,i] = −v.</summary>
    public static DenseMatrix BradleyTerryWithLargeComparisons(int n)
    {
        var m = BradleyTerry(n);
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var k = ((long)i * n) + j;
                if (Uniform(3, k) < 0.05)
                {
                    var v = (50.0 * Uniform(4, k)) - 25.0;
                    m[i, j] = v;
                    m[j, i] = -v;
                }
            }
        }

        return m;
    }

    /// <summary>
    /// Rank r = round(0.05·n): U·Vᵀ with U, V (n×r) uniform in [−1, 1); 5% of the entries get uniform noise in [−50, 50]
    /// added (the robust PCA literature's synthetic test).
    /// </summary>
    public static DenseMatrix Generic(int n)
    {
        var r = Math.Max(1, (int)Math.Round(0.05 * n, MidpointRounding.ToEven));
        var u = new double[n * r];
        var v = new double[n * r];
        for (var k = 0; k < u.Length; k++)
        {
            u[k] = (2.0 * Uniform(5, k)) - 1.0;
            v[k] = (2.0 * Uniform(6, k)) - 1.0;
        }

        var m = new DenseMatrix(n, n);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var c = 0; c < r; c++)
                {
                    sum += u[(i * r) + c] * v[(j * r) + c];
                }

                var k = ((long)i * n) + j;
                m[i, j] = sum + (Uniform(7, k) < 0.05 ? (100.0 * Uniform(8, k)) - 50.0 : 0);
            }
        }

        return m;
    }

    /// <summary>SplitMix64's output for the counter z = seed·0xD1B54A32D192ED03 + (k + 1)·γ, as a double in [0, 1).</summary>
    public static double Uniform(ulong seed, long k)
    {
        unchecked
        {
            var z = (seed * 0xD1B54A32D192ED03UL) + (((ulong)k + 1) * 0x9E3779B97F4A7C15UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }

    private static DenseMatrix BradleyTerry(int n)
    {
        var w = new double[n];
        for (var i = 0; i < n; i++)
        {
            w[i] = Math.Sin(2.3 * i) + (0.01 * i);
        }

        var m = new DenseMatrix(n, n);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                m[i, j] = w[i] - w[j];
            }
        }

        return m;
    }
}

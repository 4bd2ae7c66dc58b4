using System.Runtime.CompilerServices;

namespace PrefSuite.Science.LinearAlgebra;

/// <summary>Orthonormalizes the rows of a thin block in place.</summary>
public static class Orthonormalization
{
    /// <summary>
    /// Modified Gram–Schmidt, applied twice ("twice is enough") for orthogonality to working precision. A row that is
    /// (numerically) dependent on the earlier ones is replaced by zeros. Returns the number of independent rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Rows(DenseMatrix rows)
    {
        var independent = 0;
        for (var c = 0; c < rows.Rows; c++)
        {
            var v = rows.Row(c);
            var original = Math.Sqrt(VectorOps.Dot(v, v));
            if (original == 0)
            {
                continue;
            }

            for (var pass = 0; pass < 2; pass++)
            {
                for (var p = 0; p < c; p++)
                {
                    var u = rows.Row(p);
                    VectorOps.AddScaled(-VectorOps.Dot(u, v), u, v);
                }
            }

            var norm = Math.Sqrt(VectorOps.Dot(v, v));
            if (norm <= 1e-13 * original)
            {
                v.Clear();
                continue;
            }

            VectorOps.Scale(1 / norm, v);
            independent++;
        }

        return independent;
    }
}

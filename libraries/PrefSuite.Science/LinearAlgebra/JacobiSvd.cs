using System.Runtime.CompilerServices;

namespace PrefSuite.Science.LinearAlgebra;

/// <summary>
/// One-sided (Hestenes) Jacobi SVD: plane rotations orthogonalize the rows of a block until every pair is orthogonal
/// to working precision. Accurate to high relative precision for small singular values, simple, and fast for thin blocks.
/// </summary>
public static class JacobiSvd
{
    private const int MaxSweeps = 80;
    private const double Tolerance = 1e-15;

    /// <summary>
    /// Orthogonalizes the k rows of <paramref name="rows"/> (k×n) in place. Returns the rotation J (k×k) with
    /// rowsᵀ·J = V·diag(σ), the singular values σ (row norms, unsorted) and leaves the rows as σ_c·v_c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (DenseMatrix Rotation, double[] Norms) OrthogonalizeRows(DenseMatrix rows)
    {
        var k = rows.Rows;
        var rotation = new DenseMatrix(k, k);
        for (var i = 0; i < k; i++)
        {
            rotation[i, i] = 1;
        }

        // The rotation is applied to columns p, q of J; keeping Jᵀ by rows makes that a rotation of two contiguous rows.
        var rotationT = rotation;
        var squares = new double[k];
        for (var c = 0; c < k; c++)
        {
            squares[c] = VectorOps.Dot(rows.Row(c), rows.Row(c));
        }

        for (var sweep = 0; sweep < MaxSweeps; sweep++)
        {
            var rotated = false;
            for (var p = 0; p < k - 1; p++)
            {
                for (var q = p + 1; q < k; q++)
                {
                    var alpha = squares[p];
                    var beta = squares[q];
                    if (alpha == 0 || beta == 0)
                    {
                        continue;
                    }

                    var gamma = VectorOps.Dot(rows.Row(p), rows.Row(q));
                    if (Math.Abs(gamma) <= Tolerance * Math.Sqrt(alpha * beta))
                    {
                        continue;
                    }

                    rotated = true;
                    var zeta = (beta - alpha) / (2 * gamma);
                    var t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + (zeta * zeta)));
                    var cos = 1 / Math.Sqrt(1 + (t * t));
                    var sin = cos * t;
                    VectorOps.Rotate(rows.Row(p), rows.Row(q), cos, sin);
                    VectorOps.Rotate(rotationT.Row(p), rotationT.Row(q), cos, sin);
                    squares[p] = alpha - (t * gamma);
                    squares[q] = beta + (t * gamma);
                }
            }

            if (!rotated)
            {
                break;
            }

            // Refresh the norms from the rows: the running updates drift by rounding.
            for (var c = 0; c < k; c++)
            {
                squares[c] = VectorOps.Dot(rows.Row(c), rows.Row(c));
            }
        }

        var norms = new double[k];
        for (var c = 0; c < k; c++)
        {
            norms[c] = Math.Sqrt(VectorOps.Dot(rows.Row(c), rows.Row(c)));
        }

        return (rotationT, norms);
    }

    /// <summary>The full SVD of X by one-sided Jacobi on the rows of X or of Xᵀ, whichever is fewer.</summary>
    public static SingularTriplets Full(DenseMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rows > x.Columns)
        {
            var transposed = Full(x.Transpose());
            return new SingularTriplets(transposed.Values, transposed.RightRows, transposed.LeftRows);
        }

        // X (m×n, m ≤ n) = Q·B with Q = I: the rows of X are the columns of W = Xᵀ.
        var work = x.Clone();
        var (rotationT, norms) = OrthogonalizeRows(work);
        return Sorted(norms, rotationT, work);
    }

    /// <summary>
    /// The SVD of a thin block W (k×n, k ≤ n) whose row r is Xᵀ·y_r for orthonormal rows y_r (<paramref name="basisRows"/>,
    /// k×m): the Rayleigh–Ritz step of subspace iteration. W = R·Q̃ by modified Gram–Schmidt applied twice (R lower
    /// triangular k×k, Q̃ orthonormal rows), then the one-sided Jacobi SVD of the small R = U_r·Σ·V_rᵀ: the right vectors
    /// are v_c = Σ_p V_r[p,c]·q̃_p and the left ones u_c = Σ_r U_r[r,c]·y_r. About 4k²n operations against the dozen
    /// k²n of Jacobi sweeps over W itself, and backward stable (no Gram matrix is formed).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static SingularTriplets RayleighRitz(DenseMatrix w, DenseMatrix basisRows)
    {
        var k = w.Rows;
        var n = w.Columns;
        var r = new DenseMatrix(k, k);
        var q = w.Clone();
        for (var c = 0; c < k; c++)
        {
            var v = q.Row(c);
            var original = Math.Sqrt(VectorOps.Dot(v, v));
            for (var pass = 0; pass < 2; pass++)
            {
                for (var p = 0; p < c; p++)
                {
                    var h = VectorOps.Dot(q.Row(p), v);
                    r[c, p] += h;
                    VectorOps.AddScaled(-h, q.Row(p), v);
                }
            }

            var norm = Math.Sqrt(VectorOps.Dot(v, v));
            if (original == 0 || norm <= 1e-13 * original)
            {
                v.Clear();
                continue;
            }

            r[c, c] = norm;
            VectorOps.Scale(1 / norm, v);
        }

        var small = Full(r);
        var right = new DenseMatrix(k, n);
        var left = new DenseMatrix(k, basisRows.Columns);
        for (var c = 0; c < k; c++)
        {
            BlockProducts.Combine(small.RightRows.Row(c), q, right.Row(c));
            BlockProducts.Combine(small.LeftRows.Row(c), basisRows, left.Row(c));
        }

        return new SingularTriplets(small.Values, left, right);
    }

    /// <summary>
    /// Turns the output of <see cref="OrthogonalizeRows"/> on W = Xᵀ·Q (rows = columns of W) into sorted triplets:
    /// left vectors u_c = Σ_r J[r,c]·q_r (here q_r = basisRows[r], or e_r when <paramref name="basisRows"/> is null),
    /// right vectors v_c = w_c / σ_c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static SingularTriplets Sorted(double[] norms, DenseMatrix rotationT, DenseMatrix orthogonalRows, DenseMatrix? basisRows = null)
    {
        var k = norms.Length;
        var order = Enumerable.Range(0, k).OrderByDescending(c => norms[c]).ThenBy(c => c).ToArray();
        var values = new double[k];
        var right = new DenseMatrix(k, orthogonalRows.Columns);
        var leftLength = basisRows?.Columns ?? rotationT.Columns;
        var left = new DenseMatrix(k, leftLength);
        for (var target = 0; target < k; target++)
        {
            var c = order[target];
            values[target] = norms[c];
            if (norms[c] > 0)
            {
                var v = right.Row(target);
                orthogonalRows.Row(c).CopyTo(v);
                VectorOps.Scale(1 / norms[c], v);
            }

            var u = left.Row(target);
            if (basisRows is null)
            {
                rotationT.Row(c).CopyTo(u);
            }
            else
            {
                var weights = rotationT.Row(c);
                for (var r = 0; r < k; r++)
                {
                    if (weights[r] != 0)
                    {
                        VectorOps.AddScaled(weights[r], basisRows.Row(r), u);
                    }
                }
            }
        }

        return new SingularTriplets(values, left, right);
    }
}

using PrefSuite.Science.Randomness;

namespace PrefSuite.Science.LinearAlgebra;

/// <summary>
/// The leading singular triplets of a matrix by block subspace iteration with Rayleigh–Ritz (Jacobi SVD of the
/// projected block), warm-started from the previous call's right vectors. Robust PCA calls it once per iteration on
/// slowly changing matrices, so the warm subspace usually converges in one or two products with X.
/// </summary>
public sealed class TruncatedSvd
{
    private const int Oversampling = 6;
    private const int MaxIterations = 60;

    private DenseMatrix? _warmRightRows;
    private SplitMix64 _random;

    public TruncatedSvd(ulong seed = 0x5EED) => _random = new SplitMix64(seed);

    /// <summary>Relative residual ‖X·v − σ·u‖ / σ₁ at which a triplet counts as converged.</summary>
    public double Tolerance { get; init; } = 1e-12;

    /// <summary>How many products with X and Xᵀ the last call took (0 for a full Jacobi SVD).</summary>
    public int LastIterations { get; private set; }

    /// <summary>Whether the last call fell back to the full SVD.</summary>
    public bool LastWasFull { get; private set; }

    /// <summary>
    /// Every singular triplet whose value exceeds <paramref name="threshold"/> (plus possibly a few below it), sorted
    /// descending. <paramref name="expectedCount"/> is a guess of how many exceed it, used to size the block.
    /// </summary>
    public SingularTriplets Above(DenseMatrix x, double threshold, int expectedCount)
    {
        ArgumentNullException.ThrowIfNull(x);
        var smaller = Math.Min(x.Rows, x.Columns);
        var k = Math.Min(smaller, Math.Max(expectedCount, 1) + Oversampling);
        while (true)
        {
            if (3 * k >= smaller)
            {
                LastWasFull = true;
                LastIterations = 0;
                var full = JacobiSvd.Full(x);
                _warmRightRows = null;
                return full;
            }

            var triplets = Leading(x, k, threshold);
            var above = triplets.Values.Count(v => v > threshold);
            if (above <= k - (Oversampling / 2))
            {
                LastWasFull = false;
                return triplets;
            }

            k = Math.Min(smaller, 2 * k);
        }
    }

    /// <summary>The k leading singular triplets.</summary>
    public SingularTriplets Leading(DenseMatrix x, int k, double convergenceFloor = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        var m = x.Rows;
        var n = x.Columns;
        var omega = StartingBlock(k, n);
        var y = new DenseMatrix(k, m);
        var w = new DenseMatrix(k, n);
        SingularTriplets? current = null;
        var iterations = 0;
        for (; iterations < MaxIterations; iterations++)
        {
            BlockProducts.Multiply(x, omega, y);
            if (current is not null && Converged(current, y, convergenceFloor))
            {
                break;
            }

            Orthonormalization.Rows(y);
            BlockProducts.MultiplyTransposed(x, y, w);
            var (rotationT, norms) = JacobiSvd.OrthogonalizeRows(w);
            current = JacobiSvd.Sorted(norms, rotationT, w, y);
            omega = current.RightRows.Clone();
            y = new DenseMatrix(k, m);
        }

        LastIterations = iterations;
        _warmRightRows = current!.RightRows;
        return current;
    }

    private DenseMatrix StartingBlock(int k, int n)
    {
        var omega = new DenseMatrix(k, n);
        var warm = _warmRightRows is { } previous && previous.Columns == n ? Math.Min(previous.Rows, k) : 0;
        for (var c = 0; c < k; c++)
        {
            var row = omega.Row(c);
            if (c < warm && VectorOps.Dot(_warmRightRows!.Row(c), _warmRightRows.Row(c)) > 0)
            {
                _warmRightRows.Row(c).CopyTo(row);
                continue;
            }

            for (var j = 0; j < n; j++)
            {
                row[j] = _random.NextGaussian();
            }
        }

        return omega;
    }

    /// <summary>Each triplet above the floor satisfies ‖X·v_c − σ_c·u_c‖ ≤ tol·σ₁ (Xᵀ·u_c = σ_c·v_c holds by construction).</summary>
    private bool Converged(SingularTriplets current, DenseMatrix xTimesV, double floor)
    {
        var scale = current.Values[0];
        if (scale == 0)
        {
            return true;
        }

        for (var c = 0; c < current.Count; c++)
        {
            if (current.Values[c] <= floor && c > 0)
            {
                break;
            }

            var xv = xTimesV.Row(c);
            var u = current.LeftRows.Row(c);
            double residual = 0;
            for (var i = 0; i < xv.Length; i++)
            {
                var d = xv[i] - (current.Values[c] * u[i]);
                residual += d * d;
            }

            if (Math.Sqrt(residual) > Tolerance * scale)
            {
                return false;
            }
        }

        return true;
    }
}

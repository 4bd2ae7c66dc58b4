using System.Runtime.CompilerServices;
using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Science.Denoising;

/// <summary>
/// Robust PCA, M = L + S with L low-rank and S sparse, by principal component pursuit solved with the inexact augmented
/// Lagrange multiplier method (Lin, Chen and Ma 2010), in double precision; with a mask of observed entries it is
/// robust matrix completion (the same iteration, the sparse term penalised only where M is observed).
/// </summary>
/// <remarks>
/// Each iteration: S ← shrink(M − L + Y/μ, λ/μ) on observed entries; L ← SVT(M − S + Y/μ, 1/μ); the unobserved entries
/// of S absorb M − L + Y/μ so the constraint binds only where M is observed; Y ← Y + μ(M − L − S); μ ← min(ρμ, μ̄).
/// </remarks>
public static class RobustPca
{
    /// <param name="matrix">M; entries outside <paramref name="observed"/> are ignored (they may be NaN).</param>
    /// <param name="observed">Row-major mask, true where M is observed; null when M is fully observed.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RobustPcaResult Decompose(DenseMatrix matrix, bool[]? observed = null, RobustPcaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        options ??= new RobustPcaOptions();
        var m = matrix.Rows;
        var n = matrix.Columns;
        var size = m * n;
        Validate(matrix, observed);

        var target = new double[size];
        for (var i = 0; i < size; i++)
        {
            target[i] = IsObserved(observed, i) ? matrix.Data[i] : 0;
        }

        var mObserved = new DenseMatrix(m, n, target);
        var normM = mObserved.FrobeniusNorm();
        var low = new DenseMatrix(m, n);
        var sparse = new DenseMatrix(m, n);
        if (normM == 0)
        {
            return new RobustPcaResult(low, sparse, 0, 0, 0, 0, true, 0);
        }

        var lambda = options.Lambda ?? 1 / Math.Sqrt(Math.Max(m, n));
        var svd = new TruncatedSvd(options.Seed);
        var spectralNorm = svd.SpectralNorm(mObserved);
        var mu = options.Mu0Factor / spectralNorm;
        var muMax = mu * options.MuMaxFactor;
        var dual = mObserved.Clone();
        VectorOps.Scale(1 / Math.Max(spectralNorm, mObserved.MaxAbs() / lambda), dual.Data);

        var work = new DenseMatrix(m, n);
        var rank = 0;
        var fullIterations = 0;
        var svdProducts = 0;
        var lanczosSteps = 0;
        var residual = double.PositiveInfinity;
        var iteration = 0;
        while (iteration < options.MaxIterations)
        {
            iteration++;
            var invMu = 1 / mu;
            var shrink = lambda * invMu;

            // S-step, then the matrix whose singular values are thresholded for L: M − S + Y/μ (one fused pass).
            var workSquares = observed is null
                ? AlmKernels.SparseAndWork(target, low.Data, dual.Data, sparse.Data, work.Data, invMu, shrink)
                : MaskedSparseAndWork(target, low.Data, dual.Data, sparse.Data, work.Data, invMu, shrink, observed);

            // The SVD need only be accurate to well below this iteration's progress: its triplets' residuals at a
            // hundredth of the last ‖M − L − S‖_F (the inexact ALM does not need exact subproblem solutions),
            // never looser than 1e-4·σ₁ nor tighter than the default 1e-10·σ₁.
            var svdTolerance = Math.Clamp(0.01 * residual * normM / spectralNorm, 1e-10, 1e-4);
            var triplets = options.Svd == SvdMode.Full ? FullSvd.Compute(work) : svd.Above(work, invMu, rank, workSquares, svdTolerance);
            fullIterations += options.Svd == SvdMode.Full || svd.LastWasFull ? 1 : 0;
            svdProducts += options.Svd == SvdMode.Full ? 0 : svd.LastIterations;
            lanczosSteps += options.Svd == SvdMode.Full ? 0 : svd.LastLanczosSteps;
            rank = Reconstruct(triplets, invMu, low);

            // Y ← Y + μ(M − L − S); unobserved entries of S absorb the rest first, so the constraint holds only where M
            // is observed.
            var residualSquares = observed is null
                ? AlmKernels.DualStep(target, low.Data, sparse.Data, dual.Data, mu)
                : MaskedDualStep(target, low.Data, sparse.Data, dual.Data, mu, invMu, observed);

            residual = Math.Sqrt(residualSquares) / normM;
            mu = Math.Min(mu * options.Rho, muMax);
            if (residual < options.Tolerance)
            {
                break;
            }
        }

        var flagThreshold = options.FlagTolerance * mObserved.MaxAbs();
        var flagged = 0;
        for (var i = 0; i < size; i++)
        {
            if (!IsObserved(observed, i))
            {
                sparse.Data[i] = 0;
            }
            else if (Math.Abs(sparse.Data[i]) > flagThreshold)
            {
                flagged++;
            }
        }

        return new RobustPcaResult(low, sparse, iteration, residual, rank, flagged, residual < options.Tolerance, fullIterations, svdProducts, lanczosSteps);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double MaskedSparseAndWork(double[] target, double[] low, double[] dual, double[] sparse, double[] work, double invMu, double shrink, bool[] observed)
    {
        double squares = 0;
        for (var i = 0; i < target.Length; i++)
        {
            var t = target[i] - low[i] + (invMu * dual[i]);
            sparse[i] = observed[i] ? SoftThreshold(t, shrink) : t;
            var v = target[i] - sparse[i] + (invMu * dual[i]);
            work[i] = v;
            squares += v * v;
        }

        return squares;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double MaskedDualStep(double[] target, double[] low, double[] sparse, double[] dual, double mu, double invMu, bool[] observed)
    {
        double squares = 0;
        for (var i = 0; i < target.Length; i++)
        {
            if (!observed[i])
            {
                sparse[i] = target[i] - low[i] + (invMu * dual[i]);
            }

            var z = target[i] - low[i] - sparse[i];
            dual[i] += mu * z;
            squares += z * z;
        }

        return squares;
    }

    private static double SoftThreshold(double value, double threshold) =>
        value > threshold ? value - threshold : value < -threshold ? value + threshold : 0;

    /// <summary>L = Σ (σ_c − τ)·u_c·v_cᵀ over σ_c &gt; τ; returns how many were kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Reconstruct(SingularTriplets triplets, double tau, DenseMatrix low)
    {
        var kept = 0;
        while (kept < triplets.Count && triplets.Values[kept] > tau)
        {
            kept++;
        }

        // Row i of L is Σ_c (σ_c − τ)·u_c[i]·v_c: four triplets per pass over the row.
        var weights = new double[kept];
        for (var i = 0; i < low.Rows; i++)
        {
            for (var c = 0; c < kept; c++)
            {
                weights[c] = (triplets.Values[c] - tau) * triplets.LeftRows[c, i];
            }

            BlockProducts.Combine(weights, triplets.RightRows, low.Row(i));
        }

        return kept;
    }

    private static bool IsObserved(bool[]? observed, int index) => observed is null || observed[index];

    private static void Validate(DenseMatrix matrix, bool[]? observed)
    {
        if (matrix.Rows == 0 || matrix.Columns == 0)
        {
            throw new ArgumentException("The matrix is empty.", nameof(matrix));
        }

        if (observed is not null && observed.Length != matrix.Data.Length)
        {
            throw new ArgumentException($"The mask has {observed.Length} entries; the matrix has {matrix.Rows}×{matrix.Columns} = {matrix.Data.Length}.", nameof(observed));
        }

        var any = false;
        for (var i = 0; i < matrix.Data.Length; i++)
        {
            if (!IsObserved(observed, i))
            {
                continue;
            }

            any = true;
            if (!double.IsFinite(matrix.Data[i]))
            {
                throw new ArgumentException(
                    $"Entry ({(i / matrix.Columns) + 1}, {(i % matrix.Columns) + 1}) is {matrix.Data[i]}; observed entries must be finite (mask it out if it is missing).",
                    nameof(matrix));
            }
        }

        if (!any)
        {
            throw new ArgumentException("The mask marks no entry as observed.", nameof(observed));
        }
    }
}

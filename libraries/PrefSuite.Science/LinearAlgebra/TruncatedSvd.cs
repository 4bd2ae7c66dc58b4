using System.Runtime.CompilerServices;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Science.LinearAlgebra;

/// <summary>How the completeness of the last <see cref="TruncatedSvd.Above"/> result was established.</summary>
public enum SvdCertificate
{
    /// <summary>No call yet, or <see cref="TruncatedSvd.Leading"/> (which promises no completeness).</summary>
    None,

    /// <summary>‖X‖_F² − Σ σ_c² over the converged triplets is below τ²: deterministic.</summary>
    Frobenius,

    /// <summary>Lanczos from a fresh random start on the deflated matrix: probabilistic (Kuczyński–Woźniakowski).</summary>
    Lanczos,

    /// <summary>The Lanczos recurrence ended in an invariant subspace: its estimate is the deflated norm itself.</summary>
    LanczosExact,

    /// <summary>The result could not be certified (or the block grew too large) and a full SVD was computed.</summary>
    FullSvd,
}

/// <summary>
/// The leading singular triplets of a matrix by block subspace iteration with Rayleigh–Ritz (Gram–Schmidt and a small
/// Jacobi SVD of the projected block), warm-started from the previous call's right vectors plus fresh random probes, with a completeness certificate:
/// every singular value above the threshold is among those returned, or the full SVD is computed instead.
/// </summary>
/// <remarks>
/// <para>Subspace iteration (Halko, Martinsson and Tropp 2011, §4.5) converges to the dominant subspace of its block; warm
/// started from the last call's vectors it converges in one or two products on the slowly changing matrices robust PCA
/// feeds it. Its Ritz values are lower bounds, and a warm block can be orthogonal to a singular vector that has just
/// risen above the threshold, so neither "a few Ritz values fall below τ" nor the iteration count proves that nothing
/// above τ was missed.</para>
/// <para>Certificate: let U_c be the c leading converged left vectors (residual ‖X·v − σ·u‖ ≤ tol·σ₁; Xᵀ·u = σ·v holds by
/// construction) and D = (I − U_c·U_cᵀ)·X. U_c·U_cᵀ·X has rank c, so by Weyl σ_{c+1}(X) ≤ ‖D‖₂; and when the triplets
/// are exact, the singular values of D are exactly the others of X. So ‖D‖₂ &lt; τ proves that every singular value
/// above τ is among the c converged ones. Two bounds on ‖D‖₂ are tried: ‖D‖_F² = ‖X‖_F² − Σ_{c} σ² (exact for
/// Rayleigh–Ritz triplets; deterministic, free when ‖X‖_F² is given), then Lanczos on DᵀD from a fresh random start with
/// full reorthogonalization. After j products its largest Ritz value θ_j ≤ ‖D‖², and for a start uniform on the sphere
/// P(θ_j &lt; (1 − ε)‖D‖²) ≤ 1.648·√n·exp(−√ε·(2j' − 1)) (Kuczyński and Woźniakowski 1992, Lanczos, j' = j − 1 products
/// counted conservatively). Choosing ε so that this is at most <see cref="FailureProbability"/>, ‖D‖² ≤ θ_j/(1 − ε)
/// holds with at least that confidence; certified when that is below τ². A θ_j ≥ τ² exhibits a direction the block
/// missed: the block grows (keeping the warm vectors, with fresh probes) and the solve repeats. When the block reaches
/// a third of the matrix, or certification fails four times, the full SVD (<see cref="FullSvd"/>) is returned.</para>
/// </remarks>
public sealed class TruncatedSvd
{
    private const int Oversampling = 6;
    private const int FreshProbes = 2;
    private const int MaxIterations = 60;
    private const int MaxAttempts = 3;
    private const int MaxLanczosSteps = 64;

    private DenseMatrix? _warmRightRows;
    private DenseMatrix? _lanczosBasis;
    private SplitMix64 _random;

    public TruncatedSvd(ulong seed = 0x5EED) => _random = new SplitMix64(seed);

    /// <summary>Relative residual ‖X·v − σ·u‖ / σ₁ at which a triplet counts as converged (unless a call asks for another).</summary>
    public double Tolerance { get; init; } = 1e-10;

    private double _callTolerance = double.NaN;

    /// <summary>The most a Lanczos certificate may be wrong with, per call (a union bound gives a run's).</summary>
    public double FailureProbability { get; init; } = 1e-6;

    /// <summary>How many products with X and Xᵀ the subspace iteration of the last call took (0 for a full SVD).</summary>
    public int LastIterations { get; private set; }

    /// <summary>Products with DᵀD the last certificate took (0 when the Frobenius bound sufficed).</summary>
    public int LastLanczosSteps { get; private set; }

    /// <summary>How the last <see cref="Above"/> result was certified.</summary>
    public SvdCertificate LastCertificate { get; private set; }

    /// <summary>Whether the last call fell back to the full SVD.</summary>
    public bool LastWasFull => LastCertificate == SvdCertificate.FullSvd;

    /// <summary>
    /// Every singular triplet whose value exceeds <paramref name="threshold"/> (plus possibly some below it), sorted
    /// descending, certified complete (see remarks). <paramref name="expectedCount"/> is a guess of how many exceed it,
    /// used to size the block; <paramref name="frobeniusSquared"/>, ‖X‖_F² when the caller has it, enables the free
    /// deterministic bound.
    /// </summary>
    /// <param name="tolerance">The relative residual for this call (default <see cref="Tolerance"/>). The certificate does
    /// not depend on it: σ_{c+1}(X) ≤ ‖(I − U_c·U_cᵀ)X‖ holds for any orthonormal U_c.</param>
    public SingularTriplets Above(DenseMatrix x, double threshold, int expectedCount, double frobeniusSquared = double.NaN, double tolerance = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(x);
        _callTolerance = tolerance;
        var smaller = Math.Min(x.Rows, x.Columns);
        var k = Math.Min(smaller, Math.Max(expectedCount, 1) + Oversampling);
        for (var attempt = 0; attempt < MaxAttempts && 3 * k < smaller; attempt++)
        {
            var (triplets, converged) = Solve(x, k, threshold, stopWhenFull: true);
            var above = CountAbove(triplets.Values, threshold);
            if (converged < above || above > k - (Oversampling / 2))
            {
                // Unconverged, or too full a block to trust: a larger block converges faster (the gap ratio
                // σ_{k+1}/σ_c shrinks) and has room for what lies just below the last value found.
                k = Math.Min(smaller, 2 * k);
                continue;
            }

            var (certified, missed) = Certify(x, triplets, converged, threshold, frobeniusSquared);
            if (certified)
            {
                return triplets;
            }

            if (missed == 0)
            {
                // Inconclusive: a dense bulk of singular values just below τ, which no modest block can deflate.
                break;
            }

            // Lanczos exhibited directions above τ outside the block: make room for them (fresh probes find them).
            k = Math.Min(smaller, k + missed + Oversampling);
        }

        return Full(x);
    }

    /// <summary>The k leading singular triplets (no completeness certificate; see <see cref="LastConverged"/>).</summary>
    public SingularTriplets Leading(DenseMatrix x, int k, double convergenceFloor = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        _callTolerance = double.NaN;
        var (triplets, converged) = Solve(x, k, convergenceFloor);
        LastConverged = converged >= CountAbove(triplets.Values, convergenceFloor) && converged > 0;
        LastCertificate = SvdCertificate.None;
        return triplets;
    }

    /// <summary>Whether every triplet of the last <see cref="Leading"/> call above its floor converged.</summary>
    public bool LastConverged { get; private set; }

    /// <summary>
    /// ‖X‖₂ by Lanczos on XᵀX from a random start (full reorthogonalization): its largest Ritz value rises
    /// monotonically to σ₁² and converges far faster than subspace iteration when σ₂ is close to σ₁; stopped when it
    /// changes by less than 1e-15 relative on three consecutive steps, or exactly when the Krylov space is invariant. The
    /// full SVD when neither happens within 128 steps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double SpectralNorm(DenseMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var n = x.Columns;
        var steps = Math.Min(n, 128);
        var basis = LanczosBasis(steps + 1, n);
        var alpha = new double[steps];
        var beta = new double[steps];
        var xv = new double[x.Rows];
        RandomUnit(basis.Row(0));
        var previous = 0.0;
        var stagnant = 0;
        for (var step = 0; step < steps; step++)
        {
            var (a, b) = LanczosStep(x, basis, step, null, 0, xv);
            alpha[step] = a;
            beta[step] = b;
            var theta = LargestEigenvalue(alpha.AsSpan(0, step + 1), beta.AsSpan(0, step));
            stagnant = theta - previous <= 1e-15 * theta ? stagnant + 1 : 0;
            previous = theta;
            if (stagnant >= 3 || b <= 1e-14 * Math.Max(theta, double.Epsilon) || step + 1 == n)
            {
                return Math.Sqrt(theta);
            }

            VectorOps.Scale(1 / b, basis.Row(step + 1));
        }

        return FullSvd.Compute(x).Values[0];
    }

    private DenseMatrix LanczosBasis(int rows, int n) =>
        _lanczosBasis is { } kept && kept.Columns == n && kept.Rows >= rows ? kept : _lanczosBasis = new DenseMatrix(Math.Max(rows, MaxLanczosSteps + 1), n);

    private void RandomUnit(Span<double> start)
    {
        for (var j = 0; j < start.Length; j++)
        {
            start[j] = _random.NextGaussian();
        }

        VectorOps.Scale(1 / Math.Sqrt(VectorOps.Dot(start, start)), start);
    }

    /// <summary>
    /// One Lanczos step on A = Xᵀ(I − U·Uᵀ)X (U = the first <paramref name="deflated"/> rows of <paramref name="leftRows"/>):
    /// basis row step+1 ← A·q_step orthogonalized (twice) against every earlier row, unnormalized; returns (α, β).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Alpha, double Beta) LanczosStep(DenseMatrix x, DenseMatrix basis, int step, DenseMatrix? leftRows, int deflated, double[] xv)
    {
        var q = basis.Row(step);
        var z = basis.Row(step + 1);
        BlockProducts.MultiplyVector(x, q, xv);
        for (var c = 0; c < deflated; c++)
        {
            var u = leftRows!.Row(c);
            VectorOps.AddScaled(-VectorOps.Dot(u, xv), u, xv);
        }

        BlockProducts.MultiplyTransposedVector(x, xv, z);
        var alpha = VectorOps.Dot(q, z);

        // Full reorthogonalization, twice: the basis stays orthonormal to working precision.
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i <= step; i++)
            {
                var qi = basis.Row(i);
                VectorOps.AddScaled(-VectorOps.Dot(qi, z), qi, z);
            }
        }

        return (alpha, Math.Sqrt(VectorOps.Dot(z, z)));
    }

    private SingularTriplets Full(DenseMatrix x)
    {
        LastCertificate = SvdCertificate.FullSvd;
        LastIterations = 0;
        LastLanczosSteps = 0;
        var full = FullSvd.Compute(x);
        _warmRightRows = full.RightRows; // the next call starts from the leading ones
        return full;
    }

    private static int CountAbove(double[] values, double threshold)
    {
        var count = 0;
        while (count < values.Length && values[count] > threshold)
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Subspace iteration on a block of k until every Ritz triplet above the floor (and at least the first) has
    /// converged, or <see cref="MaxIterations"/>; returns the triplets and how many leading ones converged.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (SingularTriplets Triplets, int Converged) Solve(DenseMatrix x, int k, double floor, bool stopWhenFull = false)
    {
        var m = x.Rows;
        var n = x.Columns;
        var omega = StartingBlock(k, n);
        var y = new DenseMatrix(k, m);
        var w = new DenseMatrix(k, n);
        SingularTriplets? current = null;
        var converged = 0;
        var iterations = 0;
        for (; iterations < MaxIterations; iterations++)
        {
            BlockProducts.Multiply(x, omega, y);
            if (current is not null)
            {
                var above = CountAbove(current.Values, floor);
                converged = ConvergedPrefix(current, y);
                if (converged >= Math.Max(1, above) || (stopWhenFull && above > k - (Oversampling / 2)))
                {
                    // Converged — or the block is already too small to hold what lies above the floor, which no
                    // number of iterations changes (Ritz values only grow): the caller grows it.
                    break;
                }
            }

            Orthonormalization.Rows(y);
            BlockProducts.MultiplyTransposed(x, y, w);
            current = JacobiSvd.RayleighRitz(w, y);
            omega = current.RightRows; // RayleighRitz copies out of y and w, so both are reused
        }

        if (iterations == MaxIterations)
        {
            BlockProducts.Multiply(x, omega, y);
            converged = ConvergedPrefix(current!, y);
        }

        LastIterations = iterations;
        _warmRightRows = current!.RightRows;
        return (current, converged);
    }

    /// <summary>The warm right vectors (up to k − <see cref="FreshProbes"/>), then fresh Gaussian probes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private DenseMatrix StartingBlock(int k, int n)
    {
        var omega = new DenseMatrix(k, n);
        var warm = _warmRightRows is { } previous && previous.Columns == n ? Math.Min(previous.Rows, Math.Max(0, k - FreshProbes)) : 0;
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

    /// <summary>How many leading triplets satisfy ‖X·v_c − σ_c·u_c‖ ≤ tol·σ₁ (xTimesV holds X·v_c by rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ConvergedPrefix(SingularTriplets current, DenseMatrix xTimesV)
    {
        var scale = current.Values[0];
        if (scale == 0)
        {
            return current.Count;
        }

        var limit = (double.IsNaN(_callTolerance) ? Tolerance : _callTolerance) * scale;
        for (var c = 0; c < current.Count; c++)
        {
            var xv = xTimesV.Row(c);
            var u = current.LeftRows.Row(c);
            double residual = 0;
            for (var i = 0; i < xv.Length; i++)
            {
                var d = xv[i] - (current.Values[c] * u[i]);
                residual += d * d;
            }

            if (Math.Sqrt(residual) > limit)
            {
                return c;
            }
        }

        return current.Count;
    }

    /// <returns>Whether completeness is certified, and otherwise how many Lanczos Ritz values reached τ² (0: inconclusive).</returns>
    private (bool Certified, int Missed) Certify(DenseMatrix x, SingularTriplets triplets, int converged, double threshold, double frobeniusSquared)
    {
        LastLanczosSteps = 0;
        var tau2 = threshold * threshold;
        if (double.IsFinite(frobeniusSquared))
        {
            double kept = 0;
            for (var c = 0; c < converged; c++)
            {
                kept += triplets.Values[c] * triplets.Values[c];
            }

            // Rounding in the subtraction is at most a few ulps of ‖X‖_F² per term.
            if (frobeniusSquared - kept + (1e-13 * frobeniusSquared) < tau2)
            {
                LastCertificate = SvdCertificate.Frobenius;
                return (true, 0);
            }
        }

        var (outcome, missed) = LanczosBound(x, triplets.LeftRows, converged, tau2);
        LastCertificate = outcome;
        return (outcome is SvdCertificate.Lanczos or SvdCertificate.LanczosExact, missed);
    }

    /// <summary>
    /// Lanczos on A = Xᵀ(I − U_c·U_cᵀ)X from a fresh random unit start; returns Lanczos or LanczosExact when ‖D‖² &lt; τ² is
    /// certified, None with the number of Ritz values at or above τ² when something was missed, None with 0 when the
    /// bound cannot be reached within the step limit (stopped as soon as that is known: θ_j only grows).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal (SvdCertificate Outcome, int Missed) LanczosBound(DenseMatrix x, DenseMatrix leftRows, int deflated, double tau2)
    {
        var n = x.Columns;
        var steps = Math.Min(n, MaxLanczosSteps);
        var logTerm = Math.Log(1.648 * Math.Sqrt(n) / FailureProbability);

        // The basis is kept between calls: at n ≥ 200 it is a large-object-heap allocation that would cost collections.
        var basis = LanczosBasis(steps + 1, n);
        var alpha = new double[steps];
        var beta = new double[steps];
        var xv = new double[x.Rows];
        RandomUnit(basis.Row(0));
        for (var step = 0; step < steps; step++)
        {
            LastLanczosSteps = step + 1;
            (alpha[step], beta[step]) = LanczosStep(x, basis, step, leftRows, deflated, xv);
            var z = basis.Row(step + 1);
            var theta = LargestEigenvalue(alpha.AsSpan(0, step + 1), beta.AsSpan(0, step));
            if (theta >= tau2)
            {
                return (SvdCertificate.None, CountAtLeast(alpha.AsSpan(0, step + 1), beta.AsSpan(0, step), tau2));
            }

            if (beta[step] <= 1e-14 * Math.Max(theta, double.Epsilon) || step + 1 == n)
            {
                // The Krylov space of a random start is invariant: θ is the norm of D on it, and a random start has
                // (almost surely) a component along every singular direction.
                return (SvdCertificate.LanczosExact, 0);
            }

            // Certified once θ/(1 − ε) < τ² with √ε = log(1.648√n/δ)/(2j − 1), j = products beyond the first.
            // The j needed for the present θ only grows with θ: stop when it exceeds the step limit.
            var needed = (((logTerm / Math.Sqrt(1 - (theta / tau2))) + 1) / 2) + 1;
            if (needed > steps)
            {
                return (SvdCertificate.None, 0);
            }

            var counted = step;
            if (counted >= 1)
            {
                var sqrtEpsilon = logTerm / ((2.0 * counted) - 1);
                var epsilon = sqrtEpsilon * sqrtEpsilon;
                if (epsilon < 1 && theta / (1 - epsilon) < tau2)
                {
                    return (SvdCertificate.Lanczos, 0);
                }
            }

            VectorOps.Scale(1 / beta[step], z);
        }

        return (SvdCertificate.None, 0);
    }

    /// <summary>How many eigenvalues of the symmetric tridiagonal are at least <paramref name="bound"/> (Sturm count).</summary>
    private static int CountAtLeast(ReadOnlySpan<double> alpha, ReadOnlySpan<double> beta, double bound)
    {
        var below = 0;
        var d = 1.0;
        for (var i = 0; i < alpha.Length; i++)
        {
            var offDiagonal = i > 0 ? beta[i - 1] * beta[i - 1] : 0;
            d = alpha[i] - bound - (offDiagonal / d);
            if (d == 0)
            {
                d = -1e-300;
            }

            below += d < 0 ? 1 : 0;
        }

        return Math.Max(1, alpha.Length - below);
    }

    /// <summary>The largest eigenvalue of the symmetric tridiagonal (α on the diagonal, β off it) by Sturm bisection.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double LargestEigenvalue(ReadOnlySpan<double> alpha, ReadOnlySpan<double> beta)
    {
        var size = alpha.Length;
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        for (var i = 0; i < size; i++)
        {
            var radius = (i > 0 ? Math.Abs(beta[i - 1]) : 0) + (i < size - 1 ? Math.Abs(beta[i]) : 0);
            low = Math.Min(low, alpha[i] - radius);
            high = Math.Max(high, alpha[i] + radius);
        }

        for (var iteration = 0; iteration < 200 && high - low > 1e-15 * Math.Max(Math.Abs(high), Math.Abs(low)); iteration++)
        {
            var mid = 0.5 * (low + high);
            if (mid <= low || mid >= high)
            {
                break;
            }

            // Sturm count: how many eigenvalues lie below mid (negative pivots of T − mid·I = LDLᵀ).
            var below = 0;
            var d = 1.0;
            for (var i = 0; i < size; i++)
            {
                var offDiagonal = i > 0 ? beta[i - 1] * beta[i - 1] : 0;
                d = alpha[i] - mid - (offDiagonal / d);
                if (d == 0)
                {
                    d = -1e-300;
                }

                below += d < 0 ? 1 : 0;
            }

            if (below == size)
            {
                high = mid;
            }
            else
            {
                low = mid;
            }
        }

        return high;
    }
}

using System.ComponentModel.DataAnnotations;

namespace PrefSuite.Science.Denoising;

/// <summary>How the SVD inside robust PCA is computed.</summary>
public enum SvdMode
{
    /// <summary>Truncated (warm-started subspace iteration, certified complete) while few singular values exceed the threshold, full otherwise.</summary>
    Auto,

    /// <summary>A full SVD at every iteration (LAPACK when installed, else Jacobi), as the reference algorithm does.</summary>
    Full,
}

/// <summary>Settings of the inexact augmented Lagrange multiplier method; defaults are the published ones (SCIENCE.md §5).</summary>
public sealed record RobustPcaOptions
{
    /// <summary>Weight of the sparse term; null means 1/√max(m, n).</summary>
    public double? Lambda { get; init; }

    /// <summary>μ₀ = this / ‖M‖₂.</summary>
    [Range(1e-12, 1e12)]
    public double Mu0Factor { get; init; } = 1.25;

    /// <summary>μ grows by this factor per iteration.</summary>
    [Range(1.0000001, 100)]
    public double Rho { get; init; } = 1.5;

    /// <summary>μ never exceeds μ₀ times this (Lin, Chen and Ma's μ̄).</summary>
    [Range(1, 1e20)]
    public double MuMaxFactor { get; init; } = 1e7;

    /// <summary>Stop when ‖M − L − S‖_F / ‖M‖_F falls below this.</summary>
    [Range(1e-16, 1)]
    public double Tolerance { get; init; } = 1e-7;

    [Range(1, 100_000)]
    public int MaxIterations { get; init; } = 1000;

    /// <summary>An observed entry is flagged as corrupted when |S| exceeds this times the largest |M|.</summary>
    [Range(0, 1)]
    public double FlagTolerance { get; init; } = 1e-6;

    public SvdMode Svd { get; init; } = SvdMode.Auto;

    /// <summary>Seeds the random starting block of the truncated SVD; results agree to the tolerance whatever the seed.</summary>
    public ulong Seed { get; init; } = 0x5EED;
}

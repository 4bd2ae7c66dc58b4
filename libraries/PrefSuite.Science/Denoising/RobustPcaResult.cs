using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Science.Denoising;

/// <summary>The decomposition M = L + S with how it was reached.</summary>
/// <param name="LowRank">L (for a partially observed M, completed on the unobserved entries).</param>
/// <param name="Sparse">S on the observed entries; zero on unobserved ones.</param>
/// <param name="Iterations">ALM iterations run.</param>
/// <param name="Residual">‖P_Ω(M − L − S)‖_F / ‖P_Ω(M)‖_F at the end.</param>
/// <param name="Rank">Singular values of L kept by the last thresholding.</param>
/// <param name="Flagged">Observed entries whose |S| exceeds the flag tolerance.</param>
/// <param name="Converged">Whether the residual fell below the tolerance within the iteration limit.</param>
/// <param name="FullSvdIterations">Iterations that needed a full SVD (the rest used the truncated one).</param>
/// <param name="SubspaceIterations">Block products (X·Ω and Xᵀ·Y) the truncated SVD took over the run.</param>
/// <param name="LanczosSteps">Products with the deflated matrix its completeness certificates took over the run.</param>
public sealed record RobustPcaResult(
    DenseMatrix LowRank,
    DenseMatrix Sparse,
    int Iterations,
    double Residual,
    int Rank,
    int Flagged,
    bool Converged,
    int FullSvdIterations,
    int SubspaceIterations = 0,
    int LanczosSteps = 0);

namespace PrefSuite.Science.LinearAlgebra;

/// <summary>
/// Singular values (descending) with their left and right singular vectors, stored as rows:
/// X ≈ Σ_c Values[c] · LeftRows[c] ⊗ RightRows[c].
/// </summary>
public sealed record SingularTriplets(double[] Values, DenseMatrix LeftRows, DenseMatrix RightRows)
{
    public int Count => Values.Length;
}

using PrefSuite.Science.LinearAlgebra;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Denoising;

/// <summary>The denoised ranking of one prompt's responses and how far it moved from the raw one.</summary>
/// <param name="Decomposition">M = L + S.</param>
/// <param name="RawScores">Row means of the observed M.</param>
/// <param name="DenoisedScores">Row means of L: the denoised reward of each response, up to a constant.</param>
/// <param name="KendallTau">τ-b between the raw and the denoised ranking (NaN when either is constant).</param>
public sealed record DenoisedRanking(RobustPcaResult Decomposition, double[] RawScores, double[] DenoisedScores, double KendallTau);

/// <summary>Robust PCA applied to a square preference matrix, with the Bradley–Terry ranking read from L.</summary>
public static class PreferenceDenoising
{
    public static DenoisedRanking Denoise(DenseMatrix preferences, bool[]? observed = null, RobustPcaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(preferences);
        if (!preferences.IsSquare)
        {
            throw new ArgumentException($"A preference matrix must be square; this one is {preferences.Rows}×{preferences.Columns}.", nameof(preferences));
        }

        var decomposition = RobustPca.Decompose(preferences, observed, options);
        var raw = PreferenceMatrix.RowMeanScores(preferences, observed);
        var denoised = PreferenceMatrix.RowMeanScores(decomposition.LowRank);
        return new DenoisedRanking(decomposition, raw, denoised, KendallTauOf(raw, denoised));
    }

    private static double KendallTauOf(double[] raw, double[] denoised) =>
        raw.Any(double.IsNaN) ? double.NaN : KendallTau.TauB(raw, denoised);
}

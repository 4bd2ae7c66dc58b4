using System.Runtime.InteropServices;

namespace PrefSuite.Science.LinearAlgebra;

/// <summary>
/// The full (thin) SVD: LAPACK's divide-and-conquer dgesdd through the system's liblapack.so.3 when one is installed
/// (Debian's liblapack3, or OpenBLAS's through the alternatives system with libopenblas0-pthread — the library NumPy
/// uses), otherwise the managed one-sided Jacobi SVD. Both give the singular values to working accuracy.
/// </summary>
public static class FullSvd
{
    private static readonly Lazy<bool> Available = new(Probe);

    /// <summary>Whether LAPACK was found; set PREFSUITE_LAPACK=off to use the managed Jacobi SVD instead.</summary>
    public static bool UsesLapack => Available.Value;

    public static SingularTriplets Compute(DenseMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (UsesLapack && Lapack(x) is { } triplets)
        {
            return triplets;
        }

        return JacobiSvd.Full(x);
    }

    /// <summary>
    /// X (m×n, row-major) is Xᵀ in column-major order (n×m, leading dimension n): dgesdd factors Xᵀ = U'·S·V'ᵀ, so
    /// X = V'·S·U'ᵀ — the right vectors of X are the columns of U' (contiguous), the left ones the rows of V'ᵀ.
    /// </summary>
    internal static SingularTriplets? Lapack(DenseMatrix x)
    {
        int rows = x.Columns, columns = x.Rows; // of Xᵀ
        var k = Math.Min(rows, columns);
        var a = (double[])x.Data.Clone();
        var s = new double[k];
        var u = new double[rows * k];
        var vt = new double[k * columns];
        var iwork = new int[8 * k];
        int lda = rows, ldu = rows, ldvt = k, info = 0, query = -1;
        var jobz = (byte)'S';
        var size = new double[1];
        NativeMethods.Dgesdd(ref jobz, ref rows, ref columns, a, ref lda, s, u, ref ldu, vt, ref ldvt, size, ref query, iwork, ref info, 1);
        if (info != 0)
        {
            return null;
        }

        var lwork = (int)size[0];
        var work = new double[Math.Max(1, lwork)];
        NativeMethods.Dgesdd(ref jobz, ref rows, ref columns, a, ref lda, s, u, ref ldu, vt, ref ldvt, work, ref lwork, iwork, ref info, 1);
        if (info != 0)
        {
            return null;
        }

        var right = new DenseMatrix(k, x.Columns, u); // column c of U' (length n = x.Columns) is row c
        var left = new DenseMatrix(k, x.Rows);
        for (var c = 0; c < k; c++)
        {
            var row = left.Row(c);
            for (var i = 0; i < x.Rows; i++)
            {
                row[i] = vt[c + (i * k)];
            }
        }

        return new SingularTriplets(s, left, right);
    }

    private static bool Probe()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("PREFSUITE_LAPACK"), "off", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var probe = Lapack(new DenseMatrix(2, 2, [3, 0, 4, 5]));
            return probe is not null && Math.Abs(probe.Values[0] - Math.Sqrt(45)) < 1e-12;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        /// <summary>LAPACK's dgesdd (gfortran ABI: every argument by reference, the CHARACTER length appended).</summary>
        [DllImport("liblapack.so.3", EntryPoint = "dgesdd_", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern void Dgesdd(
            ref byte jobz, ref int m, ref int n, double[] a, ref int lda, double[] s, double[] u, ref int ldu, double[] vt, ref int ldvt,
            double[] work, ref int lwork, int[] iwork, ref int info, nuint jobzLength);
    }
}

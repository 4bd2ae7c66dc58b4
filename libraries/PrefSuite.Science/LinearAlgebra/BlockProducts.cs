using System.Numerics;
using System.Runtime.InteropServices;

namespace PrefSuite.Science.LinearAlgebra;

/// <summary>
/// Products of a large matrix X (m×n) with a thin block stored by rows (each row one column vector): the kernels of
/// subspace iteration. X is streamed once per product; the thin block stays in cache.
/// </summary>
public static class BlockProducts
{
    /// <summary>yRows[c] = X · omegaRows[c] for each of the k rows (omegaRows is k×n, yRows k×m).</summary>
    public static void Multiply(DenseMatrix x, DenseMatrix omegaRows, DenseMatrix yRows)
    {
        Check(omegaRows.Columns == x.Columns && yRows.Columns == x.Rows && yRows.Rows == omegaRows.Rows);
        var k = omegaRows.Rows;
        for (var i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            var c = 0;
            for (; c + 3 < k; c += 4)
            {
                Dot4(row, omegaRows.Row(c), omegaRows.Row(c + 1), omegaRows.Row(c + 2), omegaRows.Row(c + 3), out var d0, out var d1, out var d2, out var d3);
                yRows[c, i] = d0;
                yRows[c + 1, i] = d1;
                yRows[c + 2, i] = d2;
                yRows[c + 3, i] = d3;
            }

            for (; c < k; c++)
            {
                yRows[c, i] = VectorOps.Dot(row, omegaRows.Row(c));
            }
        }
    }

    /// <summary>wRows[c] = Xᵀ · qRows[c] for each of the k rows (qRows is k×m, wRows k×n).</summary>
    public static void MultiplyTransposed(DenseMatrix x, DenseMatrix qRows, DenseMatrix wRows)
    {
        Check(qRows.Columns == x.Rows && wRows.Columns == x.Columns && wRows.Rows == qRows.Rows);
        Array.Clear(wRows.Data);
        var k = qRows.Rows;
        for (var i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            for (var c = 0; c < k; c++)
            {
                var q = qRows[c, i];
                if (q != 0)
                {
                    VectorOps.AddScaled(q, row, wRows.Row(c));
                }
            }
        }
    }

    private static void Dot4(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, ReadOnlySpan<double> d, out double da, out double db, out double dc, out double dd)
    {
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
        var vc = MemoryMarshal.Cast<double, Vector<double>>(c);
        var vd = MemoryMarshal.Cast<double, Vector<double>>(d);
        var sa = Vector<double>.Zero;
        var sb = sa;
        var sc = sa;
        var sd = sa;
        for (var i = 0; i < vx.Length; i++)
        {
            var xi = vx[i];
            sa += xi * va[i];
            sb += xi * vb[i];
            sc += xi * vc[i];
            sd += xi * vd[i];
        }

        da = Vector.Sum(sa);
        db = Vector.Sum(sb);
        dc = Vector.Sum(sc);
        dd = Vector.Sum(sd);
        for (var j = vx.Length * Vector<double>.Count; j < x.Length; j++)
        {
            da += x[j] * a[j];
            db += x[j] * b[j];
            dc += x[j] * c[j];
            dd += x[j] * d[j];
        }
    }

    private static void Check(bool shapesAgree)
    {
        if (!shapesAgree)
        {
            throw new ArgumentException("The matrix shapes do not agree.");
        }
    }
}

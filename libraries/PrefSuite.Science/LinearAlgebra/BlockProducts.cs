using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PrefSuite.Science.LinearAlgebra;

/// <summary>
/// Products of a large matrix X (m×n) with a thin block stored by rows (each row one column vector): the kernels of
/// subspace iteration. X is streamed once per product; the thin block stays in cache.
/// </summary>
public static class BlockProducts
{
    /// <summary>yRows[c] = X · omegaRows[c] for each of the k rows (omegaRows is k×n, yRows k×m).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyTransposed(DenseMatrix x, DenseMatrix qRows, DenseMatrix wRows)
    {
        Check(qRows.Columns == x.Rows && wRows.Columns == x.Columns && wRows.Rows == qRows.Rows);
        Array.Clear(wRows.Data);
        var k = qRows.Rows;
        var i = 0;

        // Four rows of X per pass over each w_c: one load and store of w per four multiply-adds.
        for (; i + 3 < x.Rows; i += 4)
        {
            for (var c = 0; c < k; c++)
            {
                AddScaled4(qRows[c, i], qRows[c, i + 1], qRows[c, i + 2], qRows[c, i + 3], x.Row(i), x.Row(i + 1), x.Row(i + 2), x.Row(i + 3), wRows.Row(c));
            }
        }

        for (; i < x.Rows; i++)
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

    /// <summary>y = X·v (v of length n, y of length m), four rows per pass over v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyVector(DenseMatrix x, ReadOnlySpan<double> v, Span<double> y)
    {
        Check(v.Length == x.Columns && y.Length == x.Rows);
        var i = 0;
        for (; i + 3 < x.Rows; i += 4)
        {
            Dot4(v, x.Row(i), x.Row(i + 1), x.Row(i + 2), x.Row(i + 3), out var d0, out var d1, out var d2, out var d3);
            y[i] = d0;
            y[i + 1] = d1;
            y[i + 2] = d2;
            y[i + 3] = d3;
        }

        for (; i < x.Rows; i++)
        {
            y[i] = VectorOps.Dot(x.Row(i), v);
        }
    }

    /// <summary>z = Xᵀ·u (u of length m, z of length n), four rows of X per pass over z.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyTransposedVector(DenseMatrix x, ReadOnlySpan<double> u, Span<double> z)
    {
        Check(u.Length == x.Rows && z.Length == x.Columns);
        z.Clear();
        var i = 0;
        for (; i + 3 < x.Rows; i += 4)
        {
            AddScaled4(u[i], u[i + 1], u[i + 2], u[i + 3], x.Row(i), x.Row(i + 1), x.Row(i + 2), x.Row(i + 3), z);
        }

        for (; i < x.Rows; i++)
        {
            VectorOps.AddScaled(u[i], x.Row(i), z);
        }
    }

    /// <summary>z = Σ_c weights[c]·rows[c] (rows has at least weights.Length rows), four rows per pass over z.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Combine(ReadOnlySpan<double> weights, DenseMatrix rows, Span<double> z)
    {
        Check(rows.Rows >= weights.Length && rows.Columns == z.Length);
        z.Clear();
        var c = 0;
        for (; c + 3 < weights.Length; c += 4)
        {
            AddScaled4(weights[c], weights[c + 1], weights[c + 2], weights[c + 3], rows.Row(c), rows.Row(c + 1), rows.Row(c + 2), rows.Row(c + 3), z);
        }

        for (; c < weights.Length; c++)
        {
            VectorOps.AddScaled(weights[c], rows.Row(c), z);
        }
    }

    /// <summary>z += a0·r0 + a1·r1 + a2·r2 + a3·r3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddScaled4(double a0, double a1, double a2, double a3, ReadOnlySpan<double> r0, ReadOnlySpan<double> r1, ReadOnlySpan<double> r2, ReadOnlySpan<double> r3, Span<double> z)
    {
        var vz = MemoryMarshal.Cast<double, Vector<double>>(z);
        var v0 = MemoryMarshal.Cast<double, Vector<double>>(r0);
        var v1 = MemoryMarshal.Cast<double, Vector<double>>(r1);
        var v2 = MemoryMarshal.Cast<double, Vector<double>>(r2);
        var v3 = MemoryMarshal.Cast<double, Vector<double>>(r3);
        var s0 = new Vector<double>(a0);
        var s1 = new Vector<double>(a1);
        var s2 = new Vector<double>(a2);
        var s3 = new Vector<double>(a3);
        for (var j = 0; j < vz.Length; j++)
        {
            vz[j] += (s0 * v0[j]) + (s1 * v1[j]) + (s2 * v2[j]) + (s3 * v3[j]);
        }

        for (var j = vz.Length * Vector<double>.Count; j < z.Length; j++)
        {
            z[j] += (a0 * r0[j]) + (a1 * r1[j]) + (a2 * r2[j]) + (a3 * r3[j]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

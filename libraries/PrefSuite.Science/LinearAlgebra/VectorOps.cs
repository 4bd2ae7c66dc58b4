using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PrefSuite.Science.LinearAlgebra;

/// <summary>SIMD kernels over spans of doubles: the inner loops of the SVD and robust PCA.</summary>
public static class VectorOps
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException("Vectors differ in length.", nameof(y));
        }

        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
        Vector<double> acc0 = Vector<double>.Zero, acc1 = Vector<double>.Zero;
        var i = 0;
        for (; i + 1 < vx.Length; i += 2)
        {
            acc0 += vx[i] * vy[i];
            acc1 += vx[i + 1] * vy[i + 1];
        }

        if (i < vx.Length)
        {
            acc0 += vx[i] * vy[i];
        }

        var sum = Vector.Sum(acc0 + acc1);
        for (var j = vx.Length * Vector<double>.Count; j < x.Length; j++)
        {
            sum += x[j] * y[j];
        }

        return sum;
    }

    /// <summary>y += a·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaled(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException("Vectors differ in length.", nameof(y));
        }

        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
        var va = new Vector<double>(a);
        for (var i = 0; i < vx.Length; i++)
        {
            vy[i] += va * vx[i];
        }

        for (var j = vx.Length * Vector<double>.Count; j < x.Length; j++)
        {
            y[j] += a * x[j];
        }
    }

    /// <summary>x *= a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(double a, Span<double> x)
    {
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var va = new Vector<double>(a);
        for (var i = 0; i < vx.Length; i++)
        {
            vx[i] *= va;
        }

        for (var j = vx.Length * Vector<double>.Count; j < x.Length; j++)
        {
            x[j] *= a;
        }
    }

    /// <summary>Applies the plane rotation (c, s) to x and y: x ← c·x − s·y, y ← s·x + c·y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rotate(Span<double> x, Span<double> y, double c, double s)
    {
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
        var vc = new Vector<double>(c);
        var vs = new Vector<double>(s);
        for (var i = 0; i < vx.Length; i++)
        {
            var a = vx[i];
            var b = vy[i];
            vx[i] = (vc * a) - (vs * b);
            vy[i] = (vs * a) + (vc * b);
        }

        for (var j = vx.Length * Vector<double>.Count; j < x.Length; j++)
        {
            var a = x[j];
            var b = y[j];
            x[j] = (c * a) - (s * b);
            y[j] = (s * a) + (c * b);
        }
    }
}

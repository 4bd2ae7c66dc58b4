using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PrefSuite.Science.Denoising;

/// <summary>The element-wise steps of the inexact ALM iteration for a fully observed matrix, fused and vectorized.</summary>
internal static class AlmKernels
{
    /// <summary>
    /// S = shrink(M − L + Y/μ, λ/μ) and W = M − S + Y/μ in one pass; returns ‖W‖_F² (which the SVD's certificate uses).
    /// Soft thresholding is max(t − s, 0) + min(t + s, 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SparseAndWork(double[] target, double[] low, double[] dual, double[] sparse, double[] work, double invMu, double shrink)
    {
        var n = target.Length;
        var vm = MemoryMarshal.Cast<double, Vector<double>>(target.AsSpan());
        var vl = MemoryMarshal.Cast<double, Vector<double>>(low.AsSpan(0, n));
        var vy = MemoryMarshal.Cast<double, Vector<double>>(dual.AsSpan(0, n));
        var vs = MemoryMarshal.Cast<double, Vector<double>>(sparse.AsSpan(0, n));
        var vw = MemoryMarshal.Cast<double, Vector<double>>(work.AsSpan(0, n));
        var a = new Vector<double>(invMu);
        var th = new Vector<double>(shrink);
        var acc = Vector<double>.Zero;
        for (var i = 0; i < vm.Length; i++)
        {
            var scaledDual = a * vy[i];
            var t = vm[i] - vl[i] + scaledDual;
            var sv = Vector.Max(t - th, Vector<double>.Zero) + Vector.Min(t + th, Vector<double>.Zero);
            vs[i] = sv;
            var w = vm[i] - sv + scaledDual;
            vw[i] = w;
            acc += w * w;
        }

        var squares = Vector.Sum(acc);
        for (var i = vm.Length * Vector<double>.Count; i < n; i++)
        {
            var scaledDual = invMu * dual[i];
            var t = target[i] - low[i] + scaledDual;
            var sv = t > shrink ? t - shrink : t < -shrink ? t + shrink : 0;
            sparse[i] = sv;
            var w = target[i] - sv + scaledDual;
            work[i] = w;
            squares += w * w;
        }

        return squares;
    }

    /// <summary>Z = M − L − S, Y ← Y + μ·Z; returns ‖Z‖_F².</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double DualStep(double[] target, double[] low, double[] sparse, double[] dual, double mu)
    {
        var n = target.Length;
        var vm = MemoryMarshal.Cast<double, Vector<double>>(target.AsSpan());
        var vl = MemoryMarshal.Cast<double, Vector<double>>(low.AsSpan(0, n));
        var vs = MemoryMarshal.Cast<double, Vector<double>>(sparse.AsSpan(0, n));
        var vy = MemoryMarshal.Cast<double, Vector<double>>(dual.AsSpan(0, n));
        var m = new Vector<double>(mu);
        var acc = Vector<double>.Zero;
        for (var i = 0; i < vm.Length; i++)
        {
            var z = vm[i] - vl[i] - vs[i];
            vy[i] += m * z;
            acc += z * z;
        }

        var squares = Vector.Sum(acc);
        for (var i = vm.Length * Vector<double>.Count; i < n; i++)
        {
            var z = target[i] - low[i] - sparse[i];
            dual[i] += mu * z;
            squares += z * z;
        }

        return squares;
    }
}

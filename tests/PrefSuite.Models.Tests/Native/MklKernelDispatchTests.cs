using System.Runtime.InteropServices;
using PrefSuite.Models.Native;
using PrefSuite.Science.Randomness;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.Native;

public class MklKernelDispatchTests
{
    [Fact]
    public void OnANonIntelX64LinuxCpuMklsVendorCheckResolvesToPrefSuitesLibraryAheadOfLibtorch()
    {
        TorchThreads.Set(1);
        using var warm = ones(2, 2).matmul(ones(2, 2));
        var status = MklKernelDispatch.Status;
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64 || status.Contains("Intel CPU", StringComparison.Ordinal))
        {
            Assert.False(MklKernelDispatch.Active, status);
            return;
        }

        Assert.True(MklKernelDispatch.Active, status);
        var address = NativeMethods.DlSym(0, "mkl_serv_intel_cpu_true");
        Assert.NotEqual(0, address);
        Assert.NotEqual(0, NativeMethods.DlAddr(address, out var info));
        Assert.Equal(MklKernelDispatch.LibraryName, Path.GetFileName(Marshal.PtrToStringUTF8(info.FileName)));
    }

    [Fact]
    public void Float32MatrixProductsThroughTheChosenKernelsMatchAFloat64ProductOnEveryTransposeLayout()
    {
        TorchThreads.Set(1);
        var rng = new SplitMix64(17);
        foreach (var (m, k, n) in new[] { (257, 300, 129), (1016, 768, 64), (33, 2048, 200) })
        {
            var a = Enumerable.Range(0, m * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var b = Enumerable.Range(0, k * n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var expected = new double[m * n];
            for (var i = 0; i < m; i++)
            {
                for (var p = 0; p < k; p++)
                {
                    double aip = a[(i * k) + p];
                    for (var j = 0; j < n; j++)
                    {
                        expected[(i * n) + j] += aip * b[(p * n) + j];
                    }
                }
            }

            using var ta = tensor(a).reshape(m, k);
            using var tb = tensor(b).reshape(k, n);
            using var plain = ta.matmul(tb);
            using var fromTransposes = ta.t().contiguous().t().matmul(tb.t().contiguous().t());
            using var asLinear = nn.functional.linear(ta, tb.t().contiguous());
            foreach (var product in new[] { plain, fromTransposes, asLinear })
            {
                var actual = product.data<float>().ToArray();
                var worst = actual.Select((v, i) => Math.Abs(v - expected[i])).Max();
                Assert.True(worst < 2e-4 * Math.Sqrt(k), $"{m}×{k}×{n}: largest error {worst}");
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public nint FileName;
        public nint FileBase;
        public nint SymbolName;
        public nint SymbolAddress;
    }

    private static class NativeMethods
    {
        [DllImport("libdl.so.2", EntryPoint = "dlsym", ExactSpelling = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern nint DlSym(nint handle, string symbol);

        [DllImport("libdl.so.2", EntryPoint = "dladdr", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int DlAddr(nint address, out DlInfo info);
    }
}

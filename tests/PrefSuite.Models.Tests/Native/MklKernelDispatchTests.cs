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

    [Fact]
    public void TheShippedLibraryExportsOnlyAFunctionThatReturnsOneAndNeedsNothing()
    {
        // Read from the ELF file itself, whatever compiler built it: the dynamic symbol table holds the null entry and
        // one global function, mkl_serv_intel_cpu_true, whose six bytes are `mov eax, 1; ret` (mkl_intel_path.c).
        var elf = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, MklKernelDispatch.LibraryName));
        Assert.True(elf.AsSpan(0, 4).SequenceEqual("\u007FELF"u8), "not an ELF file");
        Assert.Equal(2, elf[4]); // 64-bit
        var sections = ReadSections(elf);
        var dynsym = sections.Single(s => s.Type == 11);
        var dynstr = sections[dynsym.Link];
        var symbols = Enumerable.Range(0, (int)(dynsym.Size / 24)).Select(i => (int)dynsym.Offset + (i * 24)).ToArray();
        Assert.Equal(2, symbols.Length);
        var at = symbols[1];
        var name = ReadName(elf, (int)dynstr.Offset + BitConverter.ToInt32(elf, at));
        Assert.Equal("mkl_serv_intel_cpu_true", name);
        Assert.Equal(0x12, elf[at + 4]); // STB_GLOBAL, STT_FUNC
        var section = sections[BitConverter.ToUInt16(elf, at + 6)];
        var value = BitConverter.ToInt64(elf, at + 8);
        Assert.Equal(6, BitConverter.ToInt64(elf, at + 16));
        var code = elf.AsSpan((int)(value - section.Address + section.Offset), 6).ToArray();
        Assert.Equal(new byte[] { 0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3 }, code);
    }

    private static List<(uint Type, long Address, long Offset, long Size, int Link)> ReadSections(byte[] elf)
    {
        var start = BitConverter.ToInt64(elf, 0x28);
        var size = BitConverter.ToUInt16(elf, 0x3A);
        var count = BitConverter.ToUInt16(elf, 0x3C);
        return [.. Enumerable.Range(0, count).Select(i => (int)start + (i * size)).Select(h => (
            BitConverter.ToUInt32(elf, h + 4), BitConverter.ToInt64(elf, h + 16), BitConverter.ToInt64(elf, h + 24), BitConverter.ToInt64(elf, h + 32), BitConverter.ToInt32(elf, h + 40)))];
    }

    private static string ReadName(byte[] elf, int offset) => System.Text.Encoding.ASCII.GetString(elf, offset, Array.IndexOf(elf, (byte)0, offset) - offset);

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

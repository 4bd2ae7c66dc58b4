using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace PrefSuite.Models.Native;

/// <summary>
/// Lets oneMKL inside libtorch's CPU build pick its kernels by the CPU's features on every x64 vendor. MKL asks
/// <c>mkl_serv_intel_cpu_true</c> whether the CPU is Intel's and otherwise runs generic kernels: on an AMD EPYC with
/// AVX-512 that made libtorch's float32 GEMM, most of a training step, about 2.5× slower than MKL's AVX-512 kernels
/// on the same core (docs/benchmarks.md). On a non-Intel x64 Linux machine this loads
/// <c>libprefsuite_mkl_intel_path.so</c> (Native/mkl_intel_path.c: that one function, returning 1) into the global
/// symbol scope before libtorch loads, so libtorch's call binds to it. Intel CPUs, other systems and
/// <see cref="EnvironmentVariable"/>=0 leave MKL as it is. Runs once per process, from the module initializer and from
/// <see cref="TorchThreads"/>, before any TorchSharp call of this assembly.
/// </summary>
public static class MklKernelDispatch
{
    /// <summary>Set to 0 to keep MKL's own vendor check (its generic kernels on non-Intel CPUs).</summary>
    public const string EnvironmentVariable = "PREFSUITE_MKL_CPU_FEATURES";

    /// <summary>The library's file name, next to the application's assemblies.</summary>
    public const string LibraryName = "libprefsuite_mkl_intel_path.so";

    private const int RtldNow = 2;
    private const int RtldGlobal = 0x100;
    private static readonly Lock Gate = new();
    private static string? _status;

    /// <summary>What <see cref="Apply"/> did, in words (for <c>prefsuite info</c> and the benchmarks).</summary>
    public static string Status
    {
        get
        {
            Apply();
            return _status!;
        }
    }

    /// <summary>True when MKL's kernels are chosen by CPU features because this process loaded the library.</summary>
    public static bool Active { get; private set; }

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "The library must be in the global symbol scope before this assembly's first TorchSharp call, whichever host or test makes it.")]
    internal static void ApplyOnLoad() => Apply();

    /// <summary>Loads the library where it applies; idempotent, never throws (a failure is kept in <see cref="Status"/>).</summary>
    public static void Apply()
    {
        lock (Gate)
        {
            _status ??= Load();
        }
    }

    private static string Load()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return "MKL kernels: MKL's own choice (not x64 Linux)";
        }

        var vendor = CpuVendor();
        if (vendor == "GenuineIntel")
        {
            return "MKL kernels: by CPU features (Intel CPU)";
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim() == "0")
        {
            return $"MKL kernels: generic ({vendor} CPU; {EnvironmentVariable}=0)";
        }

        var path = Path.Combine(AppContext.BaseDirectory, LibraryName);
        if (!File.Exists(path))
        {
            return $"MKL kernels: generic ({vendor} CPU; {LibraryName} is not next to the application)";
        }

        if (NativeMethods.DlOpen(path, RtldNow | RtldGlobal) == 0)
        {
            return $"MKL kernels: generic ({vendor} CPU; loading {path} failed: {Marshal.PtrToStringUTF8(NativeMethods.DlError())})";
        }

        Active = true;
        return $"MKL kernels: by CPU features ({vendor} CPU; {LibraryName} loaded)";
    }

    /// <summary>The CPUID vendor string ("GenuineIntel", "AuthenticAMD", ...).</summary>
    private static string CpuVendor()
    {
        if (!X86Base.IsSupported)
        {
            return "unknown";
        }

        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<byte> name = stackalloc byte[12];
        BitConverter.TryWriteBytes(name[..4], ebx);
        BitConverter.TryWriteBytes(name[4..8], edx);
        BitConverter.TryWriteBytes(name[8..], ecx);
        return Encoding.ASCII.GetString(name);
    }

    private static class NativeMethods
    {
        /// <summary>glibc's dlopen (libdl.so.2 exists on every glibc, older ones and 2.34+ alike).</summary>
        [DllImport("libdl.so.2", EntryPoint = "dlopen", ExactSpelling = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern nint DlOpen(string file, int mode);

        [DllImport("libdl.so.2", EntryPoint = "dlerror", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern nint DlError();
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PrefSuite.Cli.Native;

/// <summary>
/// The full prefsuite (models, runs, reports, the stack), the .NET build that <c>scripts/publish</c> puts in
/// <c>managed/</c> beside this executable. The commands this build does not have are handed to it with the same
/// arguments: on Unix the process becomes it (<c>execv</c>), so its output, signals and exit code are the caller's.
/// </summary>
internal static partial class ManagedBuild
{
    public const string Folder = "managed";

    /// <summary>The full build's executable beside this one, or null when this one was copied alone.</summary>
    public static string? Find()
    {
        var path = Path.Combine(AppContext.BaseDirectory, Folder, OperatingSystem.IsWindows() ? "prefsuite.exe" : "prefsuite");
        return File.Exists(path) ? path : null;
    }

    /// <summary>Runs <paramref name="executable"/> with <paramref name="args"/> in this process's place; returns only on Windows, or when it cannot start.</summary>
    public static int Run(string executable, string[] args)
    {
        if (OperatingSystem.IsWindows())
        {
            using var process = Process.Start(new ProcessStartInfo(executable, args) { UseShellExecute = false })!;
            process.WaitForExit();
            return process.ExitCode;
        }

        var argv = new nint[args.Length + 2];
        argv[0] = Marshal.StringToCoTaskMemUTF8(executable);
        for (var i = 0; i < args.Length; i++)
        {
            argv[i + 1] = Marshal.StringToCoTaskMemUTF8(args[i]);
        }

        Execv(argv[0], argv);
        Console.Error.WriteLine($"prefsuite: could not start {executable}: {Marshal.GetLastPInvokeErrorMessage()}");
        return 1;
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static partial int Execv(nint path, nint[] argv);
}

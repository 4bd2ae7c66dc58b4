using System.Diagnostics;

namespace PrefSuite.AppHost.Tests;

/// <summary>Erlang port mappers started during a test outlive their broker; this stops the ones a test started.</summary>
internal static class EpmdProcesses
{
    public static HashSet<int> Running() =>
        [.. Process.GetProcessesByName("epmd").Select(p => p.Id)];

    public static void StopStartedSince(HashSet<int> before)
    {
        foreach (var process in Process.GetProcessesByName("epmd").Where(p => !before.Contains(p.Id)))
        {
            process.Kill();
            process.WaitForExit(5000);
        }
    }
}

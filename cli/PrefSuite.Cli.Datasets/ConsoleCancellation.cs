namespace PrefSuite.Cli.Commands;

/// <summary>Ctrl-C for both prefsuite builds: it cancels the command's token instead of killing the process.</summary>
internal static class ConsoleCancellation
{
    public static CancellationTokenSource OnCtrlC()
    {
        var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        return cancellation;
    }
}

using System.CommandLine;

namespace PrefSuite.Cli.Commands;

/// <summary>The commands that read and write datasets only: the same in prefsuite and in its native build (cli/PrefSuite.Cli.Native).</summary>
public static class DatasetCommands
{
    public static Command Import() => ImportCommand.Create();

    /// <summary><c>export</c>; with <paramref name="runs"/>, also from a run's folder (<c>--run</c>, <c>--runs-dir</c>).</summary>
    public static Command Export(RunDatasetPath? runs = null) => ExportCommand.Create(runs);

    public static Command Select() => SelectCommand.Create();

    public static Command Augment() => AugmentCommand.Create();
}

using System.CommandLine;

namespace PrefSuite.Cli.Commands;

/// <summary>The commands that read and write datasets only: the same in prefsuite and in its native build, prefsuite-data.</summary>
public static class DatasetCommands
{
    public static Command Import() => ImportCommand.Create();

    public static Command Select() => SelectCommand.Create();

    public static Command Augment() => AugmentCommand.Create();
}

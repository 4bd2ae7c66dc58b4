using System.CommandLine;
using PrefSuite.Cli.Commands;
using PrefSuite.Cli.Native;

// The dataset commands run here, compiled ahead of time; every other command line goes to the full build beside it.
if (!NativeCommands.Handles(args))
{
    if (ManagedBuild.Find() is { } managed)
    {
        return ManagedBuild.Run(managed, args);
    }

    if (NativeCommands.OnlyInFullBuild(args) is { } what)
    {
        Console.Error.WriteLine($"prefsuite: '{what}' needs the full prefsuite in {Path.Combine(AppContext.BaseDirectory, ManagedBuild.Folder)}, which is not there; this build runs import, select, augment and export over files (scripts/publish DIR installs both).");
        return 2;
    }
}

using var cancellation = ConsoleCancellation.OnCtrlC();

var root = new RootCommand("PrefSuite's dataset commands (import, select, augment, export over files), compiled ahead of time. The models, runs, reports and the stack are in the full build, which scripts/publish puts beside it.")
{
    DatasetCommands.Import(),
    DatasetCommands.Select(),
    DatasetCommands.Augment(),
    DatasetCommands.Export(),
};
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = Console.Out, Error = Console.Error }, cancellation.Token);

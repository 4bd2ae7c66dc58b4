using System.CommandLine;
using PrefSuite.Cli.Commands;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

var root = new RootCommand("prefsuite-data: PrefSuite's dataset commands (import, select, augment, export from files), compiled ahead of time. The models, runs and the stack are in prefsuite.")
{
    DatasetCommands.Import(),
    DatasetCommands.Select(),
    DatasetCommands.Augment(),
    DatasetCommands.Export(),
};
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = Console.Out, Error = Console.Error }, cancellation.Token);

using System.CommandLine;
using PrefSuite.Cli.Commands;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Cli;

/// <summary>The prefsuite command line: one subcommand per stage.</summary>
public static class PrefSuiteCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("PrefSuite: build DPO preference data the way the research says.");
        root.Subcommands.Add(RunCommand.Create("demo"));
        root.Subcommands.Add(RunCommand.Create("run"));
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(DatasetCommands.Import());
        root.Subcommands.Add(DatasetCommands.Export(RunDataset));
        root.Subcommands.Add(StageCommands.Sample());
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(DatasetCommands.Select());
        root.Subcommands.Add(DatasetCommands.Augment());
        root.Subcommands.Add(DenoiseCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        return root;
    }

    /// <summary>A run's samples or pairs in the local artifact store.</summary>
    private static string RunDataset(string runsDir, string runId, bool samples) =>
        new FileArtifactStore(runsDir).LocalPath(samples ? ArtifactPaths.Samples(runId) : ArtifactPaths.Pairs(runId));

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
}

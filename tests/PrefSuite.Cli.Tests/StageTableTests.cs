using PrefSuite.Cli.Runs;
using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;
using Spectre.Console;

namespace PrefSuite.Cli.Tests;

public sealed class StageTableTests
{
    [Fact]
    public void RowsShowCountsThroughputTimeLeftAndTheLatestTrainingNumbers()
    {
        var now = TimeSpan.Zero;
        var table = new StageTable(() => now);
        table.Update(new PipelineProgress("sampling", 0, 500, string.Empty));
        now = TimeSpan.FromSeconds(5);
        table.Update(new PipelineProgress("sampling", 320, 500, string.Empty));
        table.Update(new PipelineProgress("training", 2, 48, string.Empty, new TrainProgress { Step = 2, Loss = 0.6931, RewardAccuracy = 0.75 }));
        now = TimeSpan.FromSeconds(7);
        table.Update(new PipelineProgress("training", 6, 48, string.Empty, new TrainProgress { Step = 6, Loss = 0.5, RewardAccuracy = double.NaN }));

        var text = Render(table);
        var sampling = text.Single(l => l.Contains("sampling", StringComparison.Ordinal));
        // Still running at 7 s: 320 prompts in 7 s is 45.7/s, and the 180 left take 3.9 s, shown as 0:03.
        Assert.Contains("320/500", sampling, StringComparison.Ordinal);
        Assert.Contains("45.7/s", sampling, StringComparison.Ordinal);
        Assert.Contains("0:07", sampling, StringComparison.Ordinal);
        Assert.Contains("0:03", sampling, StringComparison.Ordinal);
        var training = text.Single(l => l.Contains("training", StringComparison.Ordinal));
        // Throughput counts from the first report: 4 steps in the 2 s since step 2; the loss is the latest.
        Assert.Contains("2.0/s", training, StringComparison.Ordinal);
        Assert.Contains("loss 0.500", training, StringComparison.Ordinal);
        Assert.DoesNotContain("acc.", training, StringComparison.Ordinal);
        Assert.True(text.IndexOf(sampling) < text.IndexOf(training), "rows keep the order stages started in");
    }

    [Fact]
    public void AFinishedStageStopsItsClockAndSaysDone()
    {
        var now = TimeSpan.Zero;
        var table = new StageTable(() => now);
        table.Update(new PipelineProgress("scoring", 0, 10, string.Empty));
        now = TimeSpan.FromSeconds(4);
        table.Update(new PipelineProgress("scoring", 10, 10, "cache hits 4"));
        now = TimeSpan.FromSeconds(100);

        var row = Render(table).Single(l => l.Contains("scoring", StringComparison.Ordinal));
        Assert.Contains("0:04", row, StringComparison.Ordinal);
        Assert.Contains("2.5/s", row, StringComparison.Ordinal);
        Assert.Contains("done", row, StringComparison.Ordinal);
        Assert.Contains("cache hits 4", row, StringComparison.Ordinal);
        Assert.DoesNotContain("1:40", row, StringComparison.Ordinal);
    }

    [Fact]
    public void ANarrowConsoleKeepsEveryLineWithinItsWidth()
    {
        var now = TimeSpan.Zero;
        var table = new StageTable(() => now);
        table.Update(new PipelineProgress("select-dataset", 1, 1, "60 pairs kept of 60 (0 routed to SFT)"));
        now = TimeSpan.FromSeconds(3);
        table.Update(new PipelineProgress("sample", 0, 60, string.Empty));
        now = TimeSpan.FromSeconds(6);
        table.Update(new PipelineProgress("sample", 30, 60, string.Empty));

        var lines = Render(table, 80).Where(l => l.Length > 0).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.DoesNotContain(lines, l => l.Contains("/s", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("select-dataset", StringComparison.Ordinal) && l.Contains("1/1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("30/60", StringComparison.Ordinal) && l.Contains("0:03", StringComparison.Ordinal));
    }

    private static List<string> Render(StageTable table, int width = 160)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = width;
        console.Write(table.Render(width));
        return [.. writer.ToString().Split('\n')];
    }
}

using System.Diagnostics;
using System.Text.Json;
using PrefSuite.Contracts.V1;

namespace PrefSuite.Cli.Tests;

public class RunCommandTests
{
    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task AnEmbeddedRunTrainsImprovesAndWritesAReportThatMatchesIt()
    {
        using var cli = new CliHarness();
        var (code, output, error) = await cli.RunAsync(
            "run", "--runs-dir", cli.PathOf("runs"), "--run-id", "r1", "--prompts", "120", "--samples", "8", "--sft-steps", "300",
            "--evaluation-prompts", "100", "--route-small-margins", "--json");
        Assert.True(code == 0, error + output);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var events = lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Contains(events, e => e.GetProperty("stage").GetString() == "sample" && e.GetProperty("done").GetInt32() == 120);
        Assert.Contains(events, e => e.GetProperty("stage").GetString() == "train" && e.GetProperty("loss").ValueKind == JsonValueKind.Number);

        var runFolder = cli.PathOf("runs/runs/r1");
        var run = Run.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(runFolder, "run.pb")));
        Assert.Equal(RunState.Succeeded, run.State);
        Assert.True(run.Training.RewardAfter > run.Training.RewardBefore + 0.02, $"held-out reward {run.Training.RewardBefore:F3} → {run.Training.RewardAfter:F3}");
        var pairs = File.ReadAllLines(Path.Combine(runFolder, "pairs.jsonl"));
        Assert.Equal(run.Selection.Kept, pairs.Length);
        Assert.True(run.Selection.RoutedToSft > 0);
        Assert.Equal(120, Directory.GetFiles(Path.Combine(runFolder, "selected")).Length);
        Assert.Empty(run.DeadLetters);

        // The run's datasets export by its id: the pairs routed to SFT, and every sampled response.
        var (exported, _, exportError) = await cli.RunAsync("export", "--runs-dir", cli.PathOf("runs"), "--run", "r1", "--what", "sft", "-o", cli.PathOf("sft.jsonl"));
        Assert.True(exported == 0, exportError);
        Assert.Equal(run.Selection.RoutedToSft, cli.Lines("sft.jsonl").Length);
        var (exportedSamples, _, samplesError) = await cli.RunAsync("export", "--runs-dir", cli.PathOf("runs"), "--run", "r1", "--what", "samples", "-o", cli.PathOf("samples.jsonl"));
        Assert.True(exportedSamples == 0, samplesError);
        Assert.Equal(120, cli.Lines("samples.jsonl").Length);

        var report = Path.Combine(runFolder, "report");
        var html = File.ReadAllText(Path.Combine(report, "index.html"));
        var images = Directory.GetFiles(report, "*.png").Select(Path.GetFileName).ToArray();
        Assert.Contains("rewards_1.png", images);
        Assert.Contains("training_loss.png", images);
        Assert.Contains("evaluation.png", images);
        Assert.All(images, image =>
        {
            Assert.Contains($"src=\"{image}\"", html, StringComparison.Ordinal);
            Assert.Equal(PngMagic, File.ReadAllBytes(Path.Combine(report, image!))[..8]);
            Assert.True(new FileInfo(Path.Combine(report, image!)).Length > 5_000, $"{image} looks empty");
        });
        Assert.Contains($"<td id=\"kept-pairs\">{run.Selection.Kept}</td>", html, StringComparison.Ordinal);
        Assert.Contains($"<td id=\"routed-to-SFT\">{run.Selection.RoutedToSft}</td>", html, StringComparison.Ordinal);
        Assert.Contains($"<td id=\"checkpoint\">{run.CheckpointVersion}</td>", html, StringComparison.Ordinal);
        Assert.Contains($"<td id=\"held-out-reward-after\">{run.Training.RewardAfter:0.###}</td>".Replace(",", ".", StringComparison.Ordinal), html, StringComparison.Ordinal);
        Assert.Contains($"report: {Path.Combine(report, "index.html")}", output, StringComparison.Ordinal);

        // Running the same run again reuses everything: nothing is sampled or trained twice.
        var selectedAt = Directory.GetFiles(Path.Combine(runFolder, "selected")).Select(File.GetLastWriteTimeUtc).Max();
        var (again, againOutput, _) = await cli.RunAsync("run", "--runs-dir", cli.PathOf("runs"), "--run-id", "r1", "--prompts", "120", "--samples", "8", "--sft-steps", "300", "--evaluation-prompts", "100", "--route-small-margins", "--quiet");
        Assert.Equal(0, again);
        Assert.Equal(selectedAt, Directory.GetFiles(Path.Combine(runFolder, "selected")).Select(File.GetLastWriteTimeUtc).Max());
        Assert.Contains($"policy {run.CheckpointVersion}", againOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunKilledMidwayResumesFromItsCheckpointWithoutRedoingWork()
    {
        using var cli = new CliHarness();
        string[] args = ["run", "--runs-dir", cli.PathOf("runs"), "--run-id", "k1", "--prompts", "40", "--samples", "4", "--sft-steps", "450", "--evaluation-prompts", "0", "--quiet"];
        var cliDll = typeof(PrefSuiteCli).Assembly.Location;
        using (var process = Process.Start(new ProcessStartInfo("dotnet", [cliDll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            // Wait for the default policy's SFT to write a checkpoint (every 100 steps), then kill the process.
            var state = cli.PathOf("runs/jobs/default-policy-checkpoint/trainer.json");
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (!File.Exists(state) && DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }

            Assert.True(File.Exists(state), "no SFT checkpoint appeared");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var (code, output, error) = await cli.RunAsync(args);
        Assert.True(code == 0, error + output);
        var history = File.ReadAllLines(cli.PathOf("runs/jobs/default-policy-history.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt32()).ToArray();
        Assert.True(history[0] > 100, $"the resumed SFT started at step {history[0]}, not after its checkpoint");
        Assert.Equal(450, history[^1]);
        Assert.Equal(40, Directory.GetFiles(cli.PathOf("runs/runs/k1/selected")).Length);
        Assert.Contains("run k1: SUCCEEDED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AYamlConfigDrivesARunAndUnknownKeysAreNamed()
    {
        using var cli = new CliHarness();
        var config = cli.Write("run.yaml", $"""
            run_id: y1
            runs_dir: {cli.PathOf("runs")}
            prompts: 30
            samples: 4
            sft_steps: 60
            train: false
            strategy: max-min
            """);
        var (code, output, error) = await cli.RunAsync("run", "--config", config, "--quiet", "--no-report");
        Assert.True(code == 0, error + output);
        var row = JsonDocument.Parse(File.ReadLines(cli.PathOf("runs/runs/y1/pairs.jsonl")).First()).RootElement;
        Assert.Equal("max-min", row.GetProperty("strategy").GetString());

        var bad = cli.Write("bad.yaml", "prompts: 30\nsampels: 4\n");
        var (badCode, _, badError) = await cli.RunAsync("run", "--config", bad);
        Assert.Equal(2, badCode);
        Assert.Contains("sampels", badError, StringComparison.Ordinal);

        var range = cli.Write("range.json", """{"samples": 1}""");
        var (rangeCode, _, rangeError) = await cli.RunAsync("run", "--config", range);
        Assert.Equal(2, rangeCode);
        Assert.Contains("samples", rangeError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunLargerThanOneSampleCallBuildsItsDataset()
    {
        // 1,100 prompts: more than the Sample RPC takes at once (1,024), which once refused the whole run.
        using var cli = new CliHarness();
        var (code, output, error) = await cli.RunAsync(
            "run", "--runs-dir", cli.PathOf("runs"), "--run-id", "big", "--prompts", "1100", "--samples", "2", "--sft-steps", "20",
            "--no-train", "--skip-denoise", "--no-report", "--quiet");
        Assert.True(code == 0, error + output);
        Assert.Equal(1100, Directory.GetFiles(cli.PathOf("runs/runs/big/selected")).Length);
        var run = Run.Parser.ParseFrom(File.ReadAllBytes(cli.PathOf("runs/runs/big/run.pb")));
        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Equal(run.Selection.Kept, File.ReadAllLines(cli.PathOf("runs/runs/big/pairs.jsonl")).Length);
        Assert.InRange(run.Selection.CandidatePairs, 1, 1100);
    }
}

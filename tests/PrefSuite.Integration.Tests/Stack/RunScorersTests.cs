using System.Text.Json;
using Grpc.Core;
using PrefSuite.Contracts.V1;
using PrefSuite.Integration.Tests.Infrastructure;
using PrefSuite.Science.Demo;
using PipelineClient = PrefSuite.Contracts.V1.PipelineService.PipelineServiceClient;

namespace PrefSuite.Integration.Tests.Stack;

/// <summary>
/// A run names the scoring service's scorers it scores with (RunSpec.scorers). The test stack's scoring service has the
/// simulated reward model (its default) and the task's ground truth, "programmatic:sorting".
/// </summary>
[Collection("servers")]
public sealed class RunScorersTests(Servers servers) : StackTest(servers)
{
    [Fact]
    public async Task ARunScoresWithTheScorersItNamesAndAnUnknownOneFailsTheRunNamingIt()
    {
        var pipeline = new PipelineClient(Stack.Channel("pipeline"));
        var byDefault = await RunAsync(pipeline, Spec("default-scorer"));
        var named = Spec("named-scorer");
        named.Scorers.Add("programmatic:sorting");
        var byName = await RunAsync(pipeline, named);
        Assert.Equal(RunState.Succeeded, byDefault.State);
        Assert.Equal(RunState.Succeeded, byName.State);

        // The same seeds sample the same responses; the named run's rewards are the task's ground truth, exactly.
        var defaultRows = Samples("default-scorer");
        var namedRows = Samples("named-scorer");
        Assert.Equal(defaultRows.Select(r => r.Text), namedRows.Select(r => r.Text));
        Assert.All(namedRows, r => Assert.Contains(r.Reward, new[] { SortingTask.Reward(r.Prompt, r.Text, ended: true), SortingTask.Reward(r.Prompt, r.Text, ended: false) }));
        Assert.Contains(defaultRows.Zip(namedRows), p => Math.Abs(p.First.Reward - p.Second.Reward) > 1e-6); // the simulated model's noise

        var unknown = Spec("unknown-scorer");
        unknown.Scorers.Add("hf:no-such-model");
        var failed = await RunAsync(pipeline, unknown);
        Assert.Equal(RunState.Failed, failed.State);
        var reasons = failed.Error + " " + string.Join(" ", failed.DeadLetters.Select(d => d.Error));
        Assert.True(reasons.Contains("'hf:no-such-model' is not a scorer here", StringComparison.Ordinal), reasons);
    }

    private static RunSpec Spec(string id) => new()
    {
        RunId = id,
        DemoPrompts = 6,
        DemoSeed = 5,
        Sampling = new SamplingParams { N = 4, Temperature = 1, Seed = 2 },
        SkipDenoise = true,
    };

    private static async Task<Run> RunAsync(PipelineClient pipeline, RunSpec spec)
    {
        await pipeline.SubmitRunAsync(spec, deadline: DateTime.UtcNow.AddSeconds(30));
        using var watch = pipeline.WatchRun(new RunRequest { RunId = spec.RunId }, deadline: DateTime.UtcNow.AddMinutes(5));
        Run? last = null;
        await foreach (var change in watch.ResponseStream.ReadAllAsync())
        {
            last = change.Run;
        }

        return last!;
    }

    private List<(string Prompt, string Text, double Reward)> Samples(string runId)
    {
        var rows = new List<(string, string, double)>();
        foreach (var line in File.ReadLines(Path.Combine(Stack.Artifacts, "runs", runId, "samples.jsonl")))
        {
            using var row = JsonDocument.Parse(line);
            var prompt = row.RootElement.GetProperty("prompt").GetString()!;
            foreach (var response in row.RootElement.GetProperty("responses").EnumerateArray())
            {
                rows.Add((prompt, response.GetProperty("text").GetString()!, response.GetProperty("reward").GetDouble()));
            }
        }

        return rows;
    }
}

using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using Grpc.Reflection.V1Alpha;
using PrefSuite.Contracts.V1;
using PrefSuite.Integration.Tests.Infrastructure;
using PrefSuite.Workflow;
using DenoisingClient = PrefSuite.Contracts.V1.DenoisingService.DenoisingServiceClient;
using PipelineClient = PrefSuite.Contracts.V1.PipelineService.PipelineServiceClient;
using SamplingClient = PrefSuite.Contracts.V1.SamplingService.SamplingServiceClient;

namespace PrefSuite.Integration.Tests.Stack;

[Collection("servers")]
public sealed class StackTests(Servers servers) : StackTest(servers)
{
    [Fact]
    public async Task ARunGoesThroughAllFiveStagesToATrainedCheckpoint()
    {
        var pipeline = new PipelineClient(Stack.Channel("pipeline"));
        var spec = new RunSpec
        {
            RunId = "stack-run",
            DemoPrompts = 12,
            DemoSeed = 7,
            Sampling = new SamplingParams { N = 8, Temperature = 1, Seed = 1 },
            Dataset = new DatasetOptions { RouteSmallMargins = true },
            Training = new TrainOptions { Epochs = 1, BatchSize = 8 },
        };
        var submitted = await pipeline.SubmitRunAsync(spec, deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.Equal((12, 0), (submitted.PromptCount, submitted.Spec.Prompts.Count)); // a run does not echo its prompts

        using var watch = pipeline.WatchRun(new RunRequest { RunId = "stack-run" }, deadline: DateTime.UtcNow.AddMinutes(5));
        Run? last = null;
        var messages = new List<string>();
        await foreach (var change in watch.ResponseStream.ReadAllAsync())
        {
            last = change.Run;
            messages.Add(change.Message);
        }

        Assert.NotNull(last);
        Assert.True(last.State == RunState.Succeeded, $"{last.State}: {last.Error}; {string.Join(" | ", messages.TakeLast(5))}");
        Assert.Empty(last.DeadLetters);
        Assert.All(last.Stages.Where(s => s.Stage is "sample" or "score" or "denoise" or "select"), s => Assert.Equal((12, 12), (s.Done, s.Total)));
        Assert.Contains(messages, m => m.StartsWith("default policy", StringComparison.Ordinal));
        Assert.Equal(12, last.Selection.Prompts);
        Assert.True(last.Selection.Kept >= 10, $"kept {last.Selection.Kept}");
        Assert.True(last.Selection.RoutedToSft > 0);
        Assert.False(string.IsNullOrEmpty(last.CheckpointVersion));
        Assert.True(Directory.Exists(Path.Combine(Stack.Artifacts, "models", "policies", last.CheckpointVersion)));

        var export = pipeline.ExportRun(new ExportRunRequest { RunId = "stack-run", What = "pairs" });
        var bytes = new List<byte>();
        await foreach (var chunk in export.ResponseStream.ReadAllAsync())
        {
            bytes.AddRange(chunk.Data);
        }

        var lines = System.Text.Encoding.UTF8.GetString([.. bytes]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(last.Selection.Kept, lines.Length);
        Assert.All(lines, l => Assert.True(JsonDocument.Parse(l).RootElement.GetProperty("score_chosen").GetDouble() >= JsonDocument.Parse(l).RootElement.GetProperty("score_rejected").GetDouble()));
    }

    [Fact]
    public async Task PromptsBeyondTheMessageLimitAreSubmittedAsAStreamAndTheRunIsAccepted()
    {
        var pipeline = new PipelineClient(Stack.Channel("pipeline"));
        var spec = new RunSpec { RunId = "streamed-run", Sampling = new SamplingParams { N = 4, Seed = 1 } };
        var digits = string.Join(' ', Enumerable.Repeat("7 3 5", 1 << 17)); // 768 KiB of text a prompt
        spec.Prompts.Add(Enumerable.Range(0, 24).Select(i => new Prompt { PromptId = $"big-{i}", Text = $"sort {i} {digits} =" }));
        Assert.True(spec.CalculateSize() > 16 << 20); // over the service's message limit

        var whole = await Assert.ThrowsAsync<RpcException>(async () => await pipeline.SubmitRunAsync(spec, deadline: DateTime.UtcNow.AddSeconds(30)));
        Assert.Equal(StatusCode.ResourceExhausted, whole.StatusCode);

        // As `prefsuite run --stack --prompts-file` submits: the settings, then the prompts as they are read.
        var run = await PrefSuite.Cli.Runs.StackRunner.SubmitAsync(pipeline, StoredRunSpec.SettingsOf(spec), AsRead(spec.Prompts), new Metadata(), CancellationToken.None);
        await pipeline.CancelRunAsync(new RunRequest { RunId = "streamed-run" }); // the test needs it accepted, not sampled
        Assert.Equal(("streamed-run", 24, 0), (run.RunId, run.PromptCount, run.Spec.Prompts.Count));

        // The same prompts batched otherwise are the same run; settings after the first message are refused.
        Assert.Equal(RunState.Cancelled, (await SubmitStreamAsync(pipeline, [.. spec.Prompts.Chunk(5).Select(Batch).Prepend(StoredRunSpec.SettingsOf(spec))])).State);
        var late = StoredRunSpec.SettingsOf(spec);
        late.RunId = "streamed-late";
        var refused = await Assert.ThrowsAsync<RpcException>(() => SubmitStreamAsync(pipeline, [late, Batch(spec.Prompts.Take(2)), new RunSpec { SkipDenoise = true }]));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("message 3", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () => await pipeline.GetRunAsync(new RunRequest { RunId = "streamed-late" }))).StatusCode);

        static async IAsyncEnumerable<Prompt> AsRead(IEnumerable<Prompt> prompts)
        {
            foreach (var prompt in prompts)
            {
                await Task.Yield();
                yield return prompt;
            }
        }

        static RunSpec Batch(IEnumerable<Prompt> prompts)
        {
            var batch = new RunSpec();
            batch.Prompts.Add(prompts);
            return batch;
        }
    }

    private static async Task<Run> SubmitStreamAsync(PipelineClient pipeline, IReadOnlyList<RunSpec> messages)
    {
        using var call = pipeline.SubmitRunStream(deadline: DateTime.UtcNow.AddMinutes(2));
        try
        {
            foreach (var message in messages)
            {
                await call.RequestStream.WriteAsync(message);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception error) when (error is RpcException or InvalidOperationException)
        {
            // refused before the last message: the response says why
        }

        return await call.ResponseAsync;
    }

    [Fact]
    public async Task TrainingJobsStreamProgressOverGrpcAndCanBeCancelled()
    {
        var training = new Contracts.V1.TrainingService.TrainingServiceClient(Stack.Channel("training"));
        var job = await training.StartJobAsync(new TrainRequest { JobId = "grpc-sft", DemoSft = true, Options = new TrainOptions { Steps = 100_000, BatchSize = 8 } });
        var again = await training.StartJobAsync(new TrainRequest { JobId = "grpc-sft", DemoSft = true, Options = new TrainOptions { Steps = 100_000, BatchSize = 8 } });
        Assert.Equal(job.JobId, again.JobId); // the same job, not a second one
        Assert.NotEqual(JobState.Failed, again.State);

        using var watch = training.WatchJob(new JobRequest { JobId = "grpc-sft" }, deadline: DateTime.UtcNow.AddMinutes(2));
        var seen = new List<TrainProgress>();
        var cancelSent = false;
        await foreach (var progress in watch.ResponseStream.ReadAllAsync())
        {
            seen.Add(progress);

            // The watch starts with a snapshot, so under load the first step seen may be past 3: cancel at the first >= 3.
            if (progress.State == JobState.Running && progress.Step >= 3 && !cancelSent)
            {
                cancelSent = true;
                var cancelled = await training.CancelJobAsync(new JobRequest { JobId = "grpc-sft" });
                Assert.Equal("grpc-sft", cancelled.JobId);
            }
        }

        Assert.Equal(JobState.Cancelled, seen[^1].State);
        Assert.Contains(seen, p => p.Step >= 1 && p.Loss > 0);
        Assert.Equal(JobState.Cancelled, (await training.GetJobAsync(new JobRequest { JobId = "grpc-sft" })).State);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await training.GetJobAsync(new JobRequest { JobId = "nope" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task EveryServiceAnswersHealthAndReflection()
    {
        using var http = new HttpClient();
        foreach (var (service, (_, httpPort)) in Stack.Ports)
        {
            Assert.Equal("Healthy", await http.GetStringAsync($"http://127.0.0.1:{httpPort}/health"));
            var reflection = new ServerReflection.ServerReflectionClient(Stack.Channel(service));
            using var call = reflection.ServerReflectionInfo();
            await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
            await call.RequestStream.CompleteAsync();
            Assert.True(await call.ResponseStream.MoveNext());
            var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();
            Assert.Contains(names, n => n.StartsWith("prefsuite.v1.", StringComparison.Ordinal));
            Assert.Contains("grpc.health.v1.Health", names);
        }
    }

    [Fact]
    public async Task BadRequestsGetInvalidArgumentNamingTheField()
    {
        var sampling = new SamplingClient(Stack.Channel("sampling"));
        var request = new SampleRequest { Sampling = new SamplingParams { N = 0 } };
        request.Prompts.Add(new Prompt { PromptId = "p", Text = "sort 1 2 =" });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await sampling.SampleAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("sampling.n", error.Status.Detail, StringComparison.Ordinal);

        var denoising = new DenoisingClient(Stack.Channel("denoising"));
        var matrix = new Matrix { Rows = 2, Columns = 3 };
        matrix.Values.Add([0, 1, 2, 3, 4, 5]);
        var square = await Assert.ThrowsAsync<RpcException>(async () => await denoising.DenoiseAsync(new DenoiseRequest { Matrix = matrix }));
        Assert.Equal(StatusCode.InvalidArgument, square.StatusCode);
        Assert.Contains("must be square", square.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANodeClientLoadingTheProtosCallsEveryService()
    {
        var folder = Path.Combine(RepositoryRoot.Path, "tests", "clients", "node");
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder);
        }

        List<string> arguments = ["client.mjs", Path.Combine(RepositoryRoot.Path, "protos")];
        arguments.AddRange(new[] { "sampling", "scoring", "denoising", "selection", "training", "pipeline" }.Select(s => $"{s}=127.0.0.1:{Stack.Ports[s].Grpc}"));
        var output = await RunAsync("node", arguments, folder);

        var results = JsonDocument.Parse(output).RootElement;
        Assert.Equal(1.0, results.GetProperty("score_sorted").GetDouble(), 12);
        Assert.Equal(0.5, results.GetProperty("score_unfinished").GetDouble(), 12);
        Assert.Equal(2, results.GetProperty("denoise_rank").GetInt32());
        Assert.Equal("b", results.GetProperty("selected_chosen").GetString());
        Assert.Equal("c", results.GetProperty("selected_rejected").GetString());
        Assert.Equal("INVALID_ARGUMENT", results.GetProperty("sampling_error").GetString());
        Assert.Equal("NOT_FOUND", results.GetProperty("training_missing_job").GetString());
        Assert.True(results.GetProperty("pipeline_runs").GetInt32() >= 0);
    }

    private static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string folder)
    {
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {program} (Node.js 18 or later and npm are needed for this test; .ci/run installs them).");
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {error}{output}");
        return output;
    }
}

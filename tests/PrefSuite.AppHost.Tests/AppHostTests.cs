using Aspire.Hosting;
using Grpc.Net.Client;
using PrefSuite.Contracts.V1;

namespace PrefSuite.AppHost.Tests;

public class AppHostTests
{
    [Fact]
    public async Task TheAppHostRunsASmallRunThroughAllFiveStagesToATrainedCheckpoint()
    {
        var epmdBefore = EpmdProcesses.Running();
        var artifacts = Path.Combine(Path.GetTempPath(), "prefsuite-apphost-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.PrefSuite_AppHost>(
            [
                "--Infrastructure:Mode=executables",
                "--Pipeline:DefaultPolicySftSteps=100",
                $"--Artifacts:Root={artifacts}",
            ]);
            await using var app = await builder.BuildAsync();
            using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await app.StartAsync(startup.Token);
            foreach (var service in new[] { "sampling", "scoring", "denoising", "selection", "training", "pipeline" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(service, startup.Token);
            }

            // The same CLI that runs embedded submits to the stack and follows the run's events.
            var pipelineAddress = app.GetEndpoint("pipeline", "grpc").ToString();
            using var output = new StringWriter();
            using var error = new StringWriter();
            using var runLimit = new CancellationTokenSource(TimeSpan.FromMinutes(5)); // a stuck run fails the test instead of hanging CI
            var code = await PrefSuite.Cli.PrefSuiteCli.RunAsync(
                ["run", "--stack", pipelineAddress, "--runs-dir", artifacts, "--run-id", "apphost-run", "--prompts", "8", "--samples", "8", "--seed", "2", "--epochs", "1", "--batch-size", "8", "--evaluation-prompts", "0"],
                output,
                error,
                runLimit.Token);
            Assert.True(code == 0, $"{error}\n{output}");
            Assert.Contains("run apphost-run: SUCCEEDED", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("sample", output.ToString(), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(artifacts, "runs", "apphost-run", "report", "index.html")));

            using var channel = GrpcChannel.ForAddress(app.GetEndpoint("pipeline", "grpc"));
            var pipeline = new PipelineService.PipelineServiceClient(channel);
            var last = await pipeline.GetRunAsync(new RunRequest { RunId = "apphost-run" });
            Assert.NotNull(last);
            Assert.True(last.State == RunState.Succeeded, $"{last.State}: {last.Error}");
            Assert.All(last.Stages.Where(s => s.Total > 0), s => Assert.Equal(s.Total, s.Done));
            Assert.Equal(8, last.Stages.Single(s => s.Stage == "denoise").Done);
            Assert.False(string.IsNullOrEmpty(last.CheckpointVersion));
            Assert.True(File.Exists(Path.Combine(artifacts, "models", "policies", last.CheckpointVersion, "policy.json")));
        }
        finally
        {
            EpmdProcesses.StopStartedSince(epmdBefore);
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }
}

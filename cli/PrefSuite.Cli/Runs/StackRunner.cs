using Grpc.Core;
using Grpc.Net.Client;
using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;

namespace PrefSuite.Cli.Runs;

/// <summary>Submits a run to a running stack's PipelineService and reports its events as progress.</summary>
public static class StackRunner
{
    public static async Task<Run> RunAsync(RunSpec spec, string address, string? apiKey, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var channel = GrpcChannel.ForAddress(address);
        var client = new PipelineService.PipelineServiceClient(channel);
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(apiKey))
        {
            headers.Add("x-api-key", apiKey);
        }

        var submitted = await client.SubmitRunAsync(spec, headers, DateTime.UtcNow.AddMinutes(1), cancellationToken).ConfigureAwait(false);
        using var watch = client.WatchRun(new RunRequest { RunId = submitted.RunId }, headers, cancellationToken: cancellationToken);
        var last = submitted;
        await foreach (var change in watch.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            last = change.Run;
            RunProgress.Report(change, progress);
        }

        return last;
    }
}

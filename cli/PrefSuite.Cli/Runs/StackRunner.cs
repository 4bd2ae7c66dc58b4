using Grpc.Core;
using Grpc.Net.Client;
using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;

namespace PrefSuite.Cli.Runs;

/// <summary>Submits a run to a running stack's PipelineService and reports its events as progress.</summary>
public static class StackRunner
{
    private const int MessageBytes = 1 << 20;

    /// <param name="filePrompts">Prompts streamed after the spec's own as the run is submitted (a prompts file's).</param>
    public static async Task<Run> RunAsync(RunSpec spec, IAsyncEnumerable<Prompt> filePrompts, string address, string? apiKey, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var channel = GrpcChannel.ForAddress(address);
        var client = new PipelineService.PipelineServiceClient(channel);
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(apiKey))
        {
            headers.Add("x-api-key", apiKey);
        }

        var submitted = await SubmitAsync(client, spec, filePrompts, headers, cancellationToken).ConfigureAwait(false);
        using var watch = client.WatchRun(new RunRequest { RunId = submitted.RunId }, headers, cancellationToken: cancellationToken);
        var last = submitted;
        await foreach (var change in watch.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            last = change.Run;
            RunProgress.Report(change, progress);
        }

        return last;
    }

    /// <summary>
    /// Submits as a stream (SubmitRunStream): the settings, then the spec's prompts and <paramref name="morePrompts"/>
    /// in messages of about a megabyte, read as they are sent, so a prompts file of any size fits the service's message
    /// limit and is never held here. Accepting a million prompts takes a while, hence the longer deadline.
    /// </summary>
    public static async Task<Run> SubmitAsync(PipelineService.PipelineServiceClient client, RunSpec spec, IAsyncEnumerable<Prompt> morePrompts, Metadata headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(morePrompts);
        using var call = client.SubmitRunStream(headers, DateTime.UtcNow.AddMinutes(10), cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(StoredRunSpec.SettingsOf(spec), cancellationToken).ConfigureAwait(false);
            var chunk = new RunSpec();
            var bytes = 0;
            async Task AddAsync(Prompt prompt)
            {
                chunk.Prompts.Add(prompt);
                bytes += prompt.CalculateSize() + 8;
                if (bytes >= MessageBytes)
                {
                    await call.RequestStream.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                    (chunk, bytes) = (new RunSpec(), 0);
                }
            }

            foreach (var prompt in spec.Prompts)
            {
                await AddAsync(prompt).ConfigureAwait(false);
            }

            await foreach (var prompt in morePrompts.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await AddAsync(prompt).ConfigureAwait(false);
            }

            if (chunk.Prompts.Count > 0)
            {
                await call.RequestStream.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (error is RpcException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // The service ended the call early (a refused prompt): its answer below says why.
        }

        return await call.ResponseAsync.ConfigureAwait(false);
    }
}

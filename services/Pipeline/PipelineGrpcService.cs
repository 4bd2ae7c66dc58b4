using Google.Protobuf;
using Grpc.Core;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Runs;
using PrefSuite.Workflow;

namespace PrefSuite.PipelineService;

/// <summary>gRPC front of the run coordinator.</summary>
public sealed class PipelineGrpcService(RunCoordinator coordinator) : Contracts.V1.PipelineService.PipelineServiceBase
{
    private const int ChunkBytes = 1 << 20;
    private static readonly RunSpec Empty = new();

    public override Task<Run> SubmitRun(RunSpec request, ServerCallContext context) => coordinator.SubmitAsync(request, context.CancellationToken);

    public override async Task<Run> SubmitRunStream(IAsyncStreamReader<RunSpec> requestStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        using var prompts = new PromptSpool(RunSpecValidation.MaxPrompts);
        RunSpec? settings = null;
        var messages = 0;
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            foreach (var prompt in message.Prompts)
            {
                prompts.Add(prompt);
            }

            message.Prompts.Clear();
            if (settings is null)
            {
                settings = message;
            }
            else if (!message.Equals(Empty))
            {
                throw new InvalidRequestException($"message {messages + 1}", "carries settings; only the stream's first message does, later ones only prompts");
            }

            messages++;
        }

        return await coordinator.SubmitAsync(settings ?? throw new InvalidRequestException("spec", "the stream ended before its first message"), prompts, context.CancellationToken).ConfigureAwait(false);
    }

    public override Task<Run> GetRun(RunRequest request, ServerCallContext context) =>
        Task.FromResult(coordinator.Get(request.RunId) ?? throw new KeyNotFoundException($"No run '{request.RunId}'."));

    public override async Task WatchRun(RunRequest request, IServerStreamWriter<RunEvent> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        await foreach (var change in coordinator.WatchAsync(request.RunId, context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(change, context.CancellationToken).ConfigureAwait(false);
        }
    }

    public override Task<Run> CancelRun(RunRequest request, ServerCallContext context) => coordinator.CancelAsync(request.RunId, context.CancellationToken);

    public override Task<ListRunsResponse> ListRuns(ListRunsRequest request, ServerCallContext context)
    {
        var response = new ListRunsResponse();
        response.Runs.Add(coordinator.List(request.Limit));
        return Task.FromResult(response);
    }

    public override async Task ExportRun(ExportRunRequest request, IServerStreamWriter<ExportChunk> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        var stream = await coordinator.ExportAsync(request.RunId, request.What, context.CancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[ChunkBytes];
            int read;
            while ((read = await stream.ReadAtLeastAsync(buffer, ChunkBytes, throwOnEndOfStream: false, context.CancellationToken).ConfigureAwait(false)) > 0)
            {
                await responseStream.WriteAsync(new ExportChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, context.CancellationToken).ConfigureAwait(false);
            }
        }
    }
}

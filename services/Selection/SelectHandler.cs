using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Selection;

namespace PrefSuite.SelectionService;

/// <summary>
/// prefsuite.select carries two messages: a scored PromptUnit (stored for the run; idempotent) and, once every prompt
/// has arrived, the run's DatasetSelectRequest (pairs selected, datasets written, the pipeline told).
/// </summary>
public sealed class SelectHandler(SelectionStage stage, IStageBus bus, StageEvents events, RunSpecs runs) : IBatchQueueHandler
{
    public int MaxBatch => 32;

    public async Task HandleBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var outgoing = new List<(string, IMessage, string)>(messages.Count);
        foreach (var message in messages.Where(m => !ProtoMessages.Is<DatasetSelectRequest>(m)))
        {
            var unit = ProtoMessages.Parse<PromptUnit>(message);
            if (!runs.IsCancelled(unit.RunId))
            {
                await stage.StoreUnitAsync(unit, cancellationToken).ConfigureAwait(false);
                outgoing.Add(StageEvents.Done(unit.RunId, "select", unit.Prompt.PromptId));
            }
        }

        await bus.PublishManyAsync(outgoing, cancellationToken).ConfigureAwait(false);

        // The pipeline asks for the dataset step only after every unit reported, so the units are stored by then.
        foreach (var message in messages.Where(ProtoMessages.Is<DatasetSelectRequest>))
        {
            var request = ProtoMessages.Parse<DatasetSelectRequest>(message);
            if (!runs.IsCancelled(request.RunId))
            {
                var (summary, pairs, _) = await stage.SelectDatasetAsync(request, cancellationToken).ConfigureAwait(false);
                await events.PublishAsync(new StageEvent { RunId = request.RunId, Stage = "select-dataset", Selection = summary, DatasetArtifact = pairs }, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(failure);
        if (message.UnitId.EndsWith("/select-dataset", StringComparison.Ordinal))
        {
            var runId = message.UnitId[..^"/select-dataset".Length];
            return events.PublishAsync(new StageEvent { RunId = runId, Stage = "select-dataset", Failed = true, Error = failure.Message }, cancellationToken);
        }

        return events.UnitFailedAsync("select", message.UnitId, failure, cancellationToken);
    }
}

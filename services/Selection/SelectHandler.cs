using PrefSuite.Contracts.V1;
using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Selection;

namespace PrefSuite.SelectionService;

/// <summary>
/// prefsuite.select carries two messages: a scored PromptUnit (stored for the run; idempotent) and, once every prompt
/// has arrived, the run's DatasetSelectRequest (pairs selected, datasets written, the pipeline told).
/// </summary>
public sealed class SelectHandler(SelectionStage stage, StageEvents events, RunSpecs runs) : IQueueHandler
{
    public async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        if (ProtoMessages.Is<DatasetSelectRequest>(message))
        {
            var request = ProtoMessages.Parse<DatasetSelectRequest>(message);
            if (runs.IsCancelled(request.RunId))
            {
                return;
            }

            var (summary, pairs, _) = await stage.SelectDatasetAsync(request, cancellationToken).ConfigureAwait(false);
            await events.PublishAsync(new StageEvent { RunId = request.RunId, Stage = "select-dataset", Selection = summary, DatasetArtifact = pairs }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var unit = ProtoMessages.Parse<PromptUnit>(message);
        if (runs.IsCancelled(unit.RunId))
        {
            return;
        }

        await stage.StoreUnitAsync(unit, cancellationToken).ConfigureAwait(false);
        await events.DoneAsync(unit.RunId, "select", unit.Prompt.PromptId, cancellationToken).ConfigureAwait(false);
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

        var (run, promptId) = UnitIds.Split(message.UnitId);
        return events.FailedAsync(run, "select", promptId, failure.Message, cancellationToken);
    }
}

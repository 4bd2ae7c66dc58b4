using PrefSuite.Contracts.V1;
using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Sampling;

namespace PrefSuite.SamplingService;

/// <summary>prefsuite.sample → sample the prompts (many at once) → prefsuite.score, and tell the pipeline.</summary>
public sealed class SampleUnitHandler(SamplingStage stage, IStageBus bus, StageEvents events, RunSpecs runs) : IBatchQueueHandler
{
    public int MaxBatch => 32;

    public async Task HandleBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var units = messages.Select(ProtoMessages.Parse<SampleUnit>).Where(u => !runs.IsCancelled(u.RunId)).ToArray();
        var sampled = await stage.SampleUnitsAsync(units, cancellationToken).ConfigureAwait(false);
        foreach (var unit in sampled)
        {
            await bus.PublishAsync(Queues.Score, unit, Queues.UnitId(unit.RunId, unit.Prompt.PromptId, "score"), cancellationToken).ConfigureAwait(false);
            await events.DoneAsync(unit.RunId, "sample", unit.Prompt.PromptId, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var unit = ProtoMessages.Parse<SampleUnit>(message);
        if (runs.IsCancelled(unit.RunId))
        {
            return;
        }

        var sampled = await stage.SampleUnitAsync(unit, cancellationToken).ConfigureAwait(false);
        await bus.PublishAsync(Queues.Score, sampled, Queues.UnitId(unit.RunId, unit.Prompt.PromptId, "score"), cancellationToken).ConfigureAwait(false);
        await events.DoneAsync(unit.RunId, "sample", unit.Prompt.PromptId, cancellationToken).ConfigureAwait(false);
    }

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(failure);
        var (runId, promptId) = UnitIds.Split(message.UnitId);
        return events.FailedAsync(runId, "sample", promptId, failure.Message, cancellationToken);
    }
}

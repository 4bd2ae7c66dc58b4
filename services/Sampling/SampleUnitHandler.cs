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
        if (units.Length == 0)
        {
            return;
        }

        var sampled = await stage.SampleUnitsAsync(units, cancellationToken).ConfigureAwait(false);
        var outgoing = new List<(string, Google.Protobuf.IMessage, string)>(2 * sampled.Count);
        foreach (var unit in sampled)
        {
            outgoing.Add((Queues.Score, unit, Queues.UnitId(unit.RunId, unit.Prompt.PromptId, "score")));
            outgoing.Add(StageEvents.Done(unit.RunId, "sample", unit.Prompt.PromptId));
        }

        await bus.PublishManyAsync(outgoing, cancellationToken).ConfigureAwait(false);
    }

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken) =>
        events.UnitFailedAsync("sample", message?.UnitId ?? string.Empty, failure, cancellationToken);
}

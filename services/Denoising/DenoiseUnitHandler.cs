using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Denoising;
using PrefSuite.Stages.Runs;

namespace PrefSuite.DenoisingService;

/// <summary>prefsuite.denoise → robust PCA of each prompt's comparisons → prefsuite.select, and tell the pipeline.</summary>
public sealed class DenoiseUnitHandler(IStageBus bus, StageEvents events, RunSpecs runs) : IBatchQueueHandler
{
    public int MaxBatch => 32;

    public async Task HandleBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var outgoing = new List<(string, IMessage, string)>(2 * messages.Count);
        foreach (var unit in messages.Select(ProtoMessages.Parse<PromptUnit>).Where(u => !runs.IsCancelled(u.RunId)))
        {
            var denoised = DenoisingStage.DenoiseUnit(unit);
            outgoing.Add((Queues.Select, denoised, Queues.UnitId(unit.RunId, unit.Prompt.PromptId, "select")));
            outgoing.Add(StageEvents.Done(unit.RunId, "denoise", unit.Prompt.PromptId));
        }

        await bus.PublishManyAsync(outgoing, cancellationToken).ConfigureAwait(false);
    }

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken) =>
        events.UnitFailedAsync("denoise", message?.UnitId ?? string.Empty, failure, cancellationToken);
}

using PrefSuite.Contracts.V1;
using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Denoising;
using PrefSuite.Stages.Runs;

namespace PrefSuite.DenoisingService;

/// <summary>prefsuite.denoise → robust PCA of the prompt's comparisons → prefsuite.select.</summary>
public sealed class DenoiseUnitHandler(IStageBus bus, StageEvents events, RunSpecs runs) : IQueueHandler
{
    public async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var unit = ProtoMessages.Parse<PromptUnit>(message);
        if (runs.IsCancelled(unit.RunId))
        {
            return;
        }

        var denoised = DenoisingStage.DenoiseUnit(unit);
        await bus.PublishAsync(Queues.Select, denoised, Queues.UnitId(unit.RunId, unit.Prompt.PromptId, "select"), cancellationToken).ConfigureAwait(false);
        await events.DoneAsync(unit.RunId, "denoise", unit.Prompt.PromptId, cancellationToken).ConfigureAwait(false);
    }

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(failure);
        var (runId, promptId) = UnitIds.Split(message.UnitId);
        return events.FailedAsync(runId, "denoise", promptId, failure.Message, cancellationToken);
    }
}

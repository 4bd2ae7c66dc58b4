using PrefSuite.Contracts.V1;
using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Runs;

namespace PrefSuite.RewardScoringService;

/// <summary>prefsuite.score → score every response (through the cache) → prefsuite.denoise (or prefsuite.select when the run skips denoising).</summary>
public sealed class ScoreUnitHandler(ScoringStageProvider stages, IStageBus bus, StageEvents events, RunSpecs runs) : IQueueHandler
{
    public async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var unit = ProtoMessages.Parse<PromptUnit>(message);
        if (runs.IsCancelled(unit.RunId))
        {
            return;
        }

        var spec = await runs.GetAsync(unit.RunId, cancellationToken).ConfigureAwait(false);
        var stage = await stages.GetAsync().ConfigureAwait(false);
        var scored = await stage.ScoreUnitAsync(unit, cancellationToken: cancellationToken).ConfigureAwait(false);
        var next = spec.SkipDenoise ? Queues.Select : Queues.Denoise;
        await bus.PublishAsync(next, scored, Queues.UnitId(unit.RunId, unit.Prompt.PromptId, Queues.StageOf(next)), cancellationToken).ConfigureAwait(false);
        await events.DoneAsync(unit.RunId, "score", unit.Prompt.PromptId, cancellationToken).ConfigureAwait(false);
    }

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(failure);
        var (runId, promptId) = UnitIds.Split(message.UnitId);
        return events.FailedAsync(runId, "score", promptId, failure.Message, cancellationToken);
    }
}

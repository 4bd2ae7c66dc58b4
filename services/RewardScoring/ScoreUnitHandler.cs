using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Runs;

namespace PrefSuite.RewardScoringService;

/// <summary>
/// prefsuite.score → score every response (many units at once, through the cache) → prefsuite.denoise (or
/// prefsuite.select when the run skips denoising), and tell the pipeline.
/// </summary>
public sealed class ScoreUnitHandler(ScoringStageProvider stages, IStageBus bus, StageEvents events, RunSpecs runs) : IBatchQueueHandler
{
    public int MaxBatch => 32;

    public async Task HandleBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var units = messages.Select(ProtoMessages.Parse<PromptUnit>).Where(u => !runs.IsCancelled(u.RunId)).ToArray();
        if (units.Length == 0)
        {
            return;
        }

        var stage = await stages.GetAsync().ConfigureAwait(false);
        var scored = await stage.ScoreUnitsAsync(units, cancellationToken: cancellationToken).ConfigureAwait(false);
        var outgoing = new List<(string, IMessage, string)>(2 * scored.Count);
        foreach (var unit in scored)
        {
            var spec = await runs.GetAsync(unit.RunId, cancellationToken).ConfigureAwait(false);
            var next = spec.SkipDenoise ? Queues.Select : Queues.Denoise;
            outgoing.Add((next, unit, Queues.UnitId(unit.RunId, unit.Prompt.PromptId, Queues.StageOf(next))));
            outgoing.Add(StageEvents.Done(unit.RunId, "score", unit.Prompt.PromptId));
        }

        await bus.PublishManyAsync(outgoing, cancellationToken).ConfigureAwait(false);
    }

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken) =>
        events.UnitFailedAsync("score", message?.UnitId ?? string.Empty, failure, cancellationToken);
}

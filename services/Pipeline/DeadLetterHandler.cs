using PrefSuite.Messaging;
using PrefSuite.Workflow;

namespace PrefSuite.PipelineService;

/// <summary>
/// The stages' dead-letter queues → the run: a unit that died without its stage reporting it (e.g. the process died at
/// every delivery) still appears on its run. Reports are idempotent by unit id.
/// </summary>
public sealed class DeadLetterHandler(RunCoordinator coordinator) : IQueueHandler
{
    public Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        // The handler's own reason when it gave the unit up; the broker's delivery limit (e.g. a process that died at every
        // delivery) leaves only the counts.
        var error = new InvalidOperationException(message.Error ?? $"dead-lettered after {message.DeliveryCount + 1} deliveries ({message.Failures} handler failures)");
        var report = message.UnitId == JobIds.DefaultPolicy
            ? StageEvents.Job(string.Empty, new Contracts.V1.TrainJob { JobId = JobIds.DefaultPolicy, State = Contracts.V1.JobState.Failed, Error = error.Message })
            : StageEvents.UnitFailed(message.UnitId, error);
        return report?.Message is Contracts.V1.StageEvent stageEvent ? coordinator.OnEventAsync(stageEvent, cancellationToken) : Task.CompletedTask;
    }

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// The events that could not be applied (their failure budget spent, e.g. while the artifact store was full) → applied
/// again, waiting longer between tries (up to 30 s) and holding the message meanwhile: an event is never dropped. One
/// that cannot even be read is reported on its run as its unit's failure.
/// </summary>
public sealed partial class EventsDeadLetterHandler(RunCoordinator coordinator, ILogger<EventsDeadLetterHandler> logger) : IQueueHandler
{
    public async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Contracts.V1.StageEvent stageEvent;
        try
        {
            stageEvent = ProtoMessages.Parse<Contracts.V1.StageEvent>(message);
        }
        catch (PermanentMessageException error)
        {
            var unit = message.UnitId.LastIndexOf('/') is var slash and > 0 ? message.UnitId[..slash] : message.UnitId;
            if (StageEvents.UnitFailed(unit, new InvalidOperationException($"its event could not be read: {error.Message}"))?.Message is Contracts.V1.StageEvent failed)
            {
                await coordinator.OnEventAsync(failed, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await coordinator.OnEventAsync(stageEvent, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogRetry(logger, message.UnitId, attempt, error);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(attempt, 5))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered event {EventId} still cannot be applied (attempt {Attempt}); trying again")]
    private static partial void LogRetry(ILogger logger, string eventId, int attempt, Exception error);
}

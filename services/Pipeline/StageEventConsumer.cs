using PrefSuite.Contracts.V1;
using PrefSuite.Messaging;
using PrefSuite.Stages.Runs;

namespace PrefSuite.PipelineService;

/// <summary>prefsuite.events → the run coordinator, in batches (one save per run per batch).</summary>
public sealed class StageEventConsumer(RunCoordinator coordinator) : IBatchQueueHandler
{
    public int MaxBatch => 64;

    public Task HandleBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken) =>
        coordinator.OnEventsAsync(messages.Select(ProtoMessages.Parse<StageEvent>).ToArray(), cancellationToken);

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// The stages' dead-letter queues → the run: a unit that died without its stage reporting it (e.g. the process died at
/// every delivery) still appears on its run. Reports are idempotent by unit id.
/// </summary>
public sealed class DeadLetterHandler(RunCoordinator coordinator) : IQueueHandler
{
    public Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var parts = message.UnitId.Split('/');
        if (parts.Length < 2)
        {
            return Task.CompletedTask;
        }

        var stage = Queues.StageOf(message.Queue[..^".dead".Length]);
        var promptId = parts.Length >= 3 ? string.Join('/', parts[1..^1]) : string.Empty;
        var failed = new StageEvent { RunId = parts[0], Stage = stage, PromptId = promptId, Failed = true, Error = $"dead-lettered after {message.DeliveryCount + 1} deliveries" };
        if (stage == "train")
        {
            failed = new StageEvent { RunId = parts[0], Stage = "train", Job = new TrainJob { JobId = message.UnitId, State = JobState.Failed, Error = failed.Error } };
        }

        return coordinator.OnEventAsync(failed, cancellationToken);
    }

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken) => Task.CompletedTask;
}

namespace PrefSuite.Messaging;

/// <summary>A delivered message as handlers see it: no RabbitMQ types.</summary>
/// <param name="TypeName">The protobuf message's full name, e.g. "prefsuite.v1.SampleUnit".</param>
/// <param name="DeliveryCount">How many times it was delivered before this delivery (0 the first time).</param>
/// <param name="Failures">How many times a handler failed on it before (its failure budget spent so far).</param>
/// <param name="Transient">How many times it was retried after failures of the environment (no budget spent).</param>
/// <param name="Error">On a dead-lettered message: why its handler gave it up (absent when the broker dead-lettered it).</param>
public sealed record QueueMessage(string Queue, string TypeName, string SchemaVersion, string UnitId, ReadOnlyMemory<byte> Body, int DeliveryCount, int Failures = 0, int Transient = 0, string? Error = null);

/// <summary>Handles the messages of one queue; throwing means "not done" (retried, then dead-lettered).</summary>
public interface IQueueHandler
{
    Task HandleAsync(QueueMessage message, CancellationToken cancellationToken);

    /// <summary>Called once when a message is given up (permanent error or delivery limit), before it is dead-lettered.</summary>
    Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken);
}

/// <summary>
/// A handler that takes messages in batches (up to <see cref="MaxBatch"/> delivered together): the sampling stage
/// samples many prompts in one batch, the pipeline applies many events with one save. When a batch fails, its messages
/// are handled one by one so one bad message cannot fail the others.
/// </summary>
public interface IBatchQueueHandler : IQueueHandler
{
    int MaxBatch { get; }

    Task HandleBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken);

    /// <summary>One message (as when a failed batch is retried message by message) is a batch of one.</summary>
    Task IQueueHandler.HandleAsync(QueueMessage message, CancellationToken cancellationToken) => HandleBatchAsync([message], cancellationToken);
}

using Google.Protobuf;

namespace PrefSuite.Workflow;

/// <summary>A message on its way to a topic, with its deterministic id (a unit id, an event id or an outbox id).</summary>
public sealed record Envelope(Topic Topic, IMessage Message, string Id);

/// <summary>A message as a stage handler receives it.</summary>
/// <param name="Failures">How often a handler failed on it before (not how often it was delivered).</param>
/// <param name="Transient">How often it was retried after failures of the environment (<see cref="Transience"/>), which spend no budget.</param>
public sealed record Delivered(IMessage Message, string Id, int Failures = 0, int Transient = 0);

/// <summary>
/// Carries messages between the workflow and the stages: RabbitMQ for the stack, channels for <c>prefsuite run</c>.
/// Both run the same <see cref="IStageHandler"/>s, so both give the same pairs for the same seeds.
/// </summary>
public interface IStageTransport
{
    /// <summary>
    /// Whether sent messages survive a restart of this process (a broker holds them). When they do not, the workflow
    /// sends a run's unfinished work again when it loads the run.
    /// </summary>
    bool Durable { get; }

    /// <summary>Sends the messages; returns once every one is accepted (confirmed by the broker, or queued in process).</summary>
    Task SendAsync(IReadOnlyList<Envelope> messages, CancellationToken cancellationToken = default);
}

/// <summary>
/// What one stage does with the messages of its topic, whatever carries them. A handler returns the messages its
/// inputs cause (the next stage's units and the events); the transport sends them before it settles the inputs, so a
/// crash in between repeats the work (idempotent: same ids, same outputs) instead of losing it.
/// </summary>
public interface IStageHandler
{
    Topic Topic { get; }

    /// <summary>Messages handled together (sampling batches prompts; the workflow applies events in one ledger write).</summary>
    int MaxBatch { get; }

    /// <summary>Handles a batch; throwing fails the whole batch, which transports then retry message by message.</summary>
    Task<IReadOnlyList<Envelope>> HandleAsync(IReadOnlyList<Delivered> messages, CancellationToken cancellationToken);

    /// <summary>The event reporting a message given up (its failure budget spent, or invalid), if it belongs to a run.</summary>
    Envelope? GiveUp(Delivered message, Exception failure);
}

using Google.Protobuf.WellKnownTypes;
using PrefSuite.Workflow;

namespace PrefSuite.Messaging;

/// <summary>
/// A stage handler on a RabbitMQ queue: deliveries are read as the protobuf messages their type headers name, the
/// handler's outputs are published (with confirms) before the consumer acks, and a message given up is reported on
/// its run before it is dead-lettered.
/// </summary>
public sealed class StageQueueHandler(IStageHandler handler, IStageTransport transport) : IBatchQueueHandler
{
    public int MaxBatch => handler.MaxBatch;

    public async Task HandleBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var outputs = await handler.HandleAsync(messages.Select(Read).ToArray(), cancellationToken).ConfigureAwait(false);
        await transport.SendAsync(outputs, cancellationToken).ConfigureAwait(false);
    }

    public async Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Delivered delivered;
        try
        {
            delivered = Read(message);
        }
        catch (PermanentMessageException)
        {
            delivered = new Delivered(new Empty(), message.UnitId, message.Failures);
        }

        if (handler.GiveUp(delivered, failure) is { } report)
        {
            await transport.SendAsync([report], cancellationToken).ConfigureAwait(false);
        }
    }

    private static Delivered Read(QueueMessage message) => new(ProtoMessages.Parse(message), message.UnitId, message.Failures);
}

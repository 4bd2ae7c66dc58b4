using RabbitMQ.Client;

namespace PrefSuite.Messaging;

/// <summary>
/// DESIGN.md's topology: one durable quorum queue per stage with a delivery limit, dead-lettering through the
/// "prefsuite.dlx" exchange into "{queue}.dead". Declarations are idempotent; every service declares what it uses.
/// </summary>
public static class QueueTopology
{
    public static async Task DeclareAsync(IChannel channel, string queue, int deliveryLimit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ExchangeDeclareAsync(MessageHeaders.DeadLetterExchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        var dead = MessageHeaders.DeadLetterQueue(queue);
        await channel.QueueDeclareAsync(dead, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueBindAsync(dead, MessageHeaders.DeadLetterExchange, queue, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum",
            ["x-delivery-limit"] = deliveryLimit,
            ["x-dead-letter-exchange"] = MessageHeaders.DeadLetterExchange,
            ["x-dead-letter-routing-key"] = queue,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}

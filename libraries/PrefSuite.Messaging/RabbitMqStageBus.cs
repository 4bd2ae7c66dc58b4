using System.Diagnostics;
using Google.Protobuf;
using PrefSuite.Workflow;
using RabbitMQ.Client;

namespace PrefSuite.Messaging;

/// <summary>
/// The stack's transport: publishes protobuf messages to the topics' queues with publisher confirms; a send returns
/// once the broker has every message (quorum queues: durable, so <see cref="Durable"/>), or fails with a
/// <see cref="PublishTimeoutException"/> after <see cref="MessagingOptions.PublishTimeout"/>.
/// </summary>
public sealed class RabbitMqStageBus(RabbitMqConnection connection) : IStageTransport, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _declared = new(StringComparer.Ordinal);
    private IChannel? _channel;

    public bool Durable => true;

    public Task SendAsync(IReadOnlyList<Envelope> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages.Count == 0 ? Task.CompletedTask : PublishManyAsync(messages.Select(m => (m.Topic.QueueName(), m.Message, m.Id)).ToArray(), cancellationToken);
    }

    public Task PublishAsync(string queue, IMessage message, string unitId, CancellationToken cancellationToken = default) =>
        PublishManyAsync([(queue, message, unitId)], cancellationToken);

    /// <summary>
    /// Publishes the messages with their confirms outstanding together (publisher confirms pipeline instead of one
    /// round trip per message); a refused publish is retried after its queue is declared again.
    /// </summary>
    public async Task PublishManyAsync(IReadOnlyList<(string Queue, IMessage Message, string UnitId)> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await connection.PublishConfirmedAsync(ct => PublishOnceAsync(messages, ct), messages.Count, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (PublishTimeoutException timeout) when (attempt < PublishAttempts && timeout.BlockedBy is null)
                {
                    // No confirm in all that time, and the broker does not say it blocks the connection: the channel is
                    // suspect (a confirm lost on it would keep every later publish waiting too). Publish again on a new
                    // one; a message that arrives twice is a redelivery, which every consumer tolerates.
                    DropChannel();
                }
                catch (Exception error) when (attempt < PublishAttempts && error is RabbitMQ.Client.Exceptions.PublishException or RabbitMQ.Client.Exceptions.AlreadyClosedException)
                {
                    // The broker refused (e.g. a queue leader not elected yet) or closed the channel under the publish (a
                    // queue deleted meanwhile): declare again on an open channel and retry shortly. A message
                    // published twice is a redelivery, which every consumer tolerates.
                    _declared.Clear();
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task PublishOnceAsync(IReadOnlyList<(string Queue, IMessage Message, string UnitId)> messages, CancellationToken cancellationToken)
    {
        var channel = await ChannelAsync(cancellationToken).ConfigureAwait(false);
        foreach (var queue in messages.Select(m => m.Queue).Distinct())
        {
            if (!_declared.Contains(queue))
            {
                await QueueTopology.DeclareAsync(channel, queue, connection.Options.DeliveryLimit, cancellationToken).ConfigureAwait(false);
                _declared.Add(queue); // once the broker answered: a declare it never answered is made again next time
            }
        }

        // With confirmation tracking on, each publish completes when the broker confirms it and throws when it refuses.
        await Task.WhenAll(messages.Select(m => channel.BasicPublishAsync(string.Empty, m.Queue, mandatory: true, Properties(m.Message, m.UnitId), m.Message.ToByteArray(), cancellationToken).AsTask())).ConfigureAwait(false);
    }

    private static BasicProperties Properties(IMessage message, string unitId)
    {
        var properties = new BasicProperties
        {
            Persistent = true,
            MessageId = unitId,
            ContentType = "application/x-protobuf",
            Type = message.Descriptor.FullName,
            Headers = new Dictionary<string, object?>
            {
                [MessageHeaders.Type] = message.Descriptor.FullName,
                [MessageHeaders.Schema] = MessageHeaders.SchemaVersion,
                [MessageHeaders.UnitId] = unitId,
            },
        };
        if (Activity.Current is { } activity)
        {
            properties.Headers[MessageHeaders.TraceParent] = activity.Id;
            if (activity.TraceStateString is { } state)
            {
                properties.Headers[MessageHeaders.TraceState] = state;
            }
        }

        return properties;
    }

    private const int PublishAttempts = 4;

    public async ValueTask DisposeAsync()
    {
        // The connection may have been closed first (containers dispose in reverse order): then so is the channel.
        if (_channel is { IsOpen: true } channel)
        {
            try
            {
                await BoundedClose.CloseAsync(() => channel.CloseAsync(), channel).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }
        }
        else
        {
            _channel?.Dispose();
        }

        _gate.Dispose();
    }

    /// <summary>Leaves the channel to close in the background and opens a new one at the next publish.</summary>
    private void DropChannel()
    {
        if (_channel is not { } channel)
        {
            return;
        }

        _channel = null;
        _declared.Clear();
        _ = Task.Run(async () =>
        {
            try
            {
                await BoundedClose.CloseAsync(() => channel.CloseAsync(), channel).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Dropped because it did not answer: nobody waits for its close.
            }
        });
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        var conn = await connection.GetAsync(cancellationToken).ConfigureAwait(false);
        _channel = await conn.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
        _declared.Clear();
        return _channel;
    }
}

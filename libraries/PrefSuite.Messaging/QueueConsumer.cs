using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrefSuite.Stages;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PrefSuite.Messaging;

/// <summary>
/// Consumes one queue: acks only after the handler succeeded (its outputs published or stored); a failure is
/// requeued until the delivery limit, a permanent failure (invalid message) goes to the dead-letter queue at once, and
/// the handler hears of every message given up. On shutdown it stops taking messages and lets those in hand finish.
/// </summary>
public sealed partial class QueueConsumer(string queue, ushort prefetch, ushort concurrency, IQueueHandler handler, RabbitMqConnection connection, ILogger<QueueConsumer> logger) : BackgroundService
{
    public static readonly ActivitySource Activities = new("PrefSuite.Messaging");

    private readonly CancellationTokenSource _hardStop = new();
    private int _inFlight;

    public string Queue => queue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var conn = await connection.GetAsync(stoppingToken).ConfigureAwait(false);
        var channel = await conn.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: concurrency), stoppingToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            // A dead-letter queue is declared with its stage queue.
            var stageQueue = queue.EndsWith(".dead", StringComparison.Ordinal) ? queue[..^".dead".Length] : queue;
            await QueueTopology.DeclareAsync(channel, stageQueue, connection.Options.DeliveryLimit, stoppingToken).ConfigureAwait(false);

            await channel.BasicQosAsync(0, prefetch, false, stoppingToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) => OnDeliveryAsync(channel, delivery);
            var tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, stoppingToken).ConfigureAwait(false);
            LogConsuming(logger, queue, prefetch);
            try
            {
                await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Graceful shutdown: stop taking messages; those in hand finish (StopAsync bounds the wait).
            }

            await channel.BasicCancelAsync(tag, noWait: false, CancellationToken.None).ConfigureAwait(false);
            while (Volatile.Read(ref _inFlight) > 0 && !_hardStop.IsCancellationRequested)
            {
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
            }

            await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(_hardStop.Cancel);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _hardStop.Dispose();
        base.Dispose();
    }

    private async Task OnDeliveryAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        Interlocked.Increment(ref _inFlight);
        var headers = delivery.BasicProperties.Headers ?? new Dictionary<string, object?>();
        var message = new QueueMessage(
            queue,
            Header(headers, MessageHeaders.Type) ?? delivery.BasicProperties.Type ?? string.Empty,
            Header(headers, MessageHeaders.Schema) ?? string.Empty,
            Header(headers, MessageHeaders.UnitId) ?? delivery.BasicProperties.MessageId ?? string.Empty,
            delivery.Body.ToArray(),
            headers.TryGetValue(MessageHeaders.DeliveryCount, out var count) && count is not null ? Convert.ToInt32(count, System.Globalization.CultureInfo.InvariantCulture) : 0);
        using var activity = Activities.StartActivity($"{queue} process", ActivityKind.Consumer, Header(headers, MessageHeaders.TraceParent));
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", queue);
        activity?.SetTag("messaging.message.id", message.UnitId);
        try
        {
            await handler.HandleAsync(message, _hardStop.Token).ConfigureAwait(false);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_hardStop.IsCancellationRequested)
        {
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            var permanent = error is PermanentMessageException or InvalidRequestException;
            var lastChance = message.DeliveryCount + 1 >= connection.Options.DeliveryLimit;
            if (permanent || lastChance)
            {
                LogGivingUp(logger, queue, message.UnitId, message.DeliveryCount + 1, error);
                try
                {
                    await handler.OnGiveUpAsync(message, error, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception reportError) when (reportError is not OperationCanceledException)
                {
                    LogReportFailed(logger, queue, message.UnitId, reportError);
                }

                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                LogRetrying(logger, queue, message.UnitId, message.DeliveryCount + 1, error);
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static string? Header(IDictionary<string, object?> headers, string name) => headers.TryGetValue(name, out var value) ? value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        _ => null,
    } : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Queue} (prefetch {Prefetch})")]
    private static partial void LogConsuming(ILogger logger, string queue, int prefetch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Queue}: unit {UnitId} failed on delivery {Delivery}; requeued")]
    private static partial void LogRetrying(ILogger logger, string queue, string unitId, int delivery, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Queue}: unit {UnitId} failed on delivery {Delivery}; dead-lettered")]
    private static partial void LogGivingUp(ILogger logger, string queue, string unitId, int delivery, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Queue}: could not report the failure of unit {UnitId}")]
    private static partial void LogReportFailed(ILogger logger, string queue, string unitId, Exception error);
}

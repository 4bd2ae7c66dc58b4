using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrefSuite.Workflow;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PrefSuite.Messaging;

/// <summary>
/// Consumes one queue: acks only after the handler succeeded (its outputs published or stored). A handler failure is
/// counted on the message itself: a copy carrying the count goes to the back of the queue (confirmed) before the
/// original is acked, and once the failure budget is spent, or at once for an invalid message, it goes to the
/// dead-letter queue after the handler reported it. Deliveries that a crash returned unacked spend no budget. On
/// shutdown it stops taking messages and lets those in hand finish.
/// </summary>
public sealed partial class QueueConsumer(string queue, ushort prefetch, ushort concurrency, IQueueHandler handler, RabbitMqConnection connection, ILogger<QueueConsumer> logger) : BackgroundService
{
    public static readonly ActivitySource Activities = new("PrefSuite.Messaging");

    private readonly CancellationTokenSource _hardStop = new();
    private readonly SemaphoreSlim _retrying = new(1, 1);
    private IChannel? _retries;
    private int _inFlight;

    public string Queue => queue;

    /// <summary>
    /// Consumes until shutdown. A lost channel or consumer — the broker closed the channel, cancelled the consumer
    /// because its queue was deleted, or the connection dropped — is opened again with backoff (0.25 s doubling to 30 s):
    /// a consumer never dies quietly while its host lives on. Unacked deliveries of a lost channel return to the queue.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (await ConsumeUntilStoppedOrLostAsync(stoppingToken).ConfigureAwait(false))
                {
                    return;
                }

                // Lost after a good while: try again at once; lost again and again: back off as after failures.
                failures = Stopwatch.GetElapsedTime(started) > StableConsumption ? 0 : failures + 1;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                failures++;
                LogCannotConsume(logger, queue, failures, error);
            }

            try
            {
                await Task.Delay(Backoff(failures), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static readonly TimeSpan StableConsumption = TimeSpan.FromSeconds(30);

    /// <summary>The wait before consuming again after <paramref name="failures"/> failed tries in a row.</summary>
    internal static TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Max(0, failures - 1))));

    /// <summary>One channel's life: true when it ended in a graceful shutdown, false when the channel or consumer was lost.</summary>
    private async Task<bool> ConsumeUntilStoppedOrLostAsync(CancellationToken stoppingToken)
    {
        var conn = await connection.GetAsync(stoppingToken).ConfigureAwait(false);
        var channel = await conn.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: concurrency), stoppingToken).ConfigureAwait(false);
        var retries = await conn.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), stoppingToken).ConfigureAwait(false);
        _retries = retries;
        await using (retries.ConfigureAwait(false))
        await using (channel.ConfigureAwait(false))
        {
            var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            channel.ChannelShutdownAsync += (_, args) =>
            {
                lost.TrySetResult($"channel closed: {args.ReplyCode} {args.ReplyText}");
                return Task.CompletedTask;
            };

            // A dead-letter queue is declared with its stage queue.
            var stageQueue = queue.EndsWith(".dead", StringComparison.Ordinal) ? queue[..^".dead".Length] : queue;
            await QueueTopology.DeclareAsync(channel, stageQueue, connection.Options.DeliveryLimit, stoppingToken).ConfigureAwait(false);

            await channel.BasicQosAsync(0, prefetch, false, stoppingToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.UnregisteredAsync += (_, _) =>
            {
                lost.TrySetResult("consumer cancelled by the broker (was its queue deleted?)");
                return Task.CompletedTask;
            };
            var batching = handler is IBatchQueueHandler batcher ? Channel.CreateUnbounded<Delivery>() : null;
            var batchLoop = batching is null ? Task.CompletedTask : Task.Run(() => BatchLoopAsync(channel, (IBatchQueueHandler)handler, batching.Reader), CancellationToken.None);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                var item = Read(delivery);
                if (batching is null)
                {
                    return ProcessAsync(channel, item);
                }

                Interlocked.Increment(ref _inFlight);
                if (batching.Writer.TryWrite(item))
                {
                    return Task.CompletedTask;
                }

                // Arrived after shutdown began: hand it back to the broker.
                Interlocked.Decrement(ref _inFlight);
                return SettleAsync(channel, item.Tag, ack: false, requeue: true);
            };
            var tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, stoppingToken).ConfigureAwait(false);
            LogConsuming(logger, queue, prefetch);
            var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (stoppingToken.Register(() => stopping.TrySetResult()))
            {
                await Task.WhenAny(stopping.Task, lost.Task).ConfigureAwait(false);
            }

            var stopped = stoppingToken.IsCancellationRequested;
            if (stopped)
            {
                // Graceful shutdown: stop taking messages; those in hand finish (StopAsync bounds the wait).
                if (channel.IsOpen)
                {
                    await channel.BasicCancelAsync(tag, noWait: false, CancellationToken.None).ConfigureAwait(false);
                }
            }
            else
            {
                LogLost(logger, queue, await lost.Task.ConfigureAwait(false));
            }

            batching?.Writer.TryComplete();
            await batchLoop.ConfigureAwait(false);
            while (stopped && Volatile.Read(ref _inFlight) > 0 && !_hardStop.IsCancellationRequested)
            {
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
            }

            if (channel.IsOpen)
            {
                await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return stopped;
        }
    }

    /// <summary>Acks or nacks a delivery; on a channel already lost there is nothing to settle (the broker requeued it).</summary>
    private static async Task SettleAsync(IChannel channel, ulong tag, bool ack, bool requeue = false)
    {
        try
        {
            if (ack)
            {
                await channel.BasicAckAsync(tag, multiple: false, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await channel.BasicNackAsync(tag, multiple: false, requeue, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException or ObjectDisposedException)
        {
            // The channel closed under us: its unacked deliveries are redelivered to the next consumer.
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
        _retrying.Dispose();
        base.Dispose();
    }

    private Delivery Read(BasicDeliverEventArgs delivery)
    {
        var headers = delivery.BasicProperties.Headers ?? new Dictionary<string, object?>();
        var message = new QueueMessage(
            queue,
            Header(headers, MessageHeaders.Type) ?? delivery.BasicProperties.Type ?? string.Empty,
            Header(headers, MessageHeaders.Schema) ?? string.Empty,
            Header(headers, MessageHeaders.UnitId) ?? delivery.BasicProperties.MessageId ?? string.Empty,
            delivery.Body.ToArray(),
            Number(headers, MessageHeaders.DeliveryCount),
            Number(headers, MessageHeaders.Failures),
            Number(headers, MessageHeaders.Transient),
            Header(headers, MessageHeaders.Error));
        return new Delivery(delivery.DeliveryTag, message, Header(headers, MessageHeaders.TraceParent));
    }

    /// <summary>Handles one message: ack on success; requeue, or give up and dead-letter, on failure.</summary>
    private async Task ProcessAsync(IChannel channel, Delivery delivery, bool counted = false)
    {
        if (!counted)
        {
            Interlocked.Increment(ref _inFlight);
        }

        var message = delivery.Message;
        using var activity = Activities.StartActivity($"{queue} process", ActivityKind.Consumer, delivery.TraceParent);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", queue);
        activity?.SetTag("messaging.message.id", message.UnitId);
        try
        {
            await handler.HandleAsync(message, _hardStop.Token).ConfigureAwait(false);
            await SettleAsync(channel, delivery.Tag, ack: true).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_hardStop.IsCancellationRequested)
        {
            await SettleAsync(channel, delivery.Tag, ack: false, requeue: true).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            await FailAsync(channel, delivery, error).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task FailAsync(IChannel channel, Delivery delivery, Exception error)
    {
        var message = delivery.Message;
        var permanent = error is PermanentMessageException or InvalidRequestException;
        if (!permanent && Transience.IsTransient(error) && message.Transient < connection.Options.TransientRetries)
        {
            await RetryTransientAsync(channel, [delivery], error).ConfigureAwait(false);
            return;
        }

        var failures = message.Failures + 1;
        if (permanent || failures >= connection.Options.FailureBudget)
        {
            LogGivingUp(logger, queue, message.UnitId, failures, error);
            try
            {
                await handler.OnGiveUpAsync(message, error, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception reportError) when (reportError is not OperationCanceledException)
            {
                LogReportFailed(logger, queue, message.UnitId, reportError);
            }

            await DeadLetterAsync(channel, delivery, failures, error).ConfigureAwait(false);
        }
        else
        {
            LogRetrying(logger, queue, message.UnitId, failures, error);
            try
            {
                await RequeueCountedAsync(delivery, failures, message.Transient).ConfigureAwait(false);
                await SettleAsync(channel, delivery.Tag, ack: true).ConfigureAwait(false);
            }
            catch (Exception requeueError) when (requeueError is not OperationCanceledException)
            {
                // The counted copy could not be published: hand the original back (the broker's delivery limit is the backstop).
                LogRequeueFailed(logger, queue, message.UnitId, requeueError);
                await SettleAsync(channel, delivery.Tag, ack: false, requeue: true).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A failure of the environment: waits (0.5 s doubling to 30 s), then sends the messages to the back of the queue
    /// with their transient count raised and their failure budget untouched.
    /// </summary>
    private async Task RetryTransientAsync(IChannel channel, IReadOnlyList<Delivery> deliveries, Exception error)
    {
        var retries = deliveries.Max(d => d.Message.Transient);
        LogTransient(logger, queue, deliveries.Count, retries + 1, error);
        try
        {
            await Task.Delay(Transience.Backoff(retries), _hardStop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping: hand them back as they are
        }

        var brokerSilent = false;
        foreach (var delivery in deliveries)
        {
            try
            {
                if (_hardStop.IsCancellationRequested)
                {
                    throw new OperationCanceledException("stopping");
                }

                if (brokerSilent)
                {
                    // The broker took no copy of the one before in a whole publish timeout (blocked by an alarm): the rest
                    // go back as they are rather than each wait as long again.
                    await SettleAsync(channel, delivery.Tag, ack: false, requeue: true).ConfigureAwait(false);
                    continue;
                }

                await RequeueCountedAsync(delivery, delivery.Message.Failures, delivery.Message.Transient + 1).ConfigureAwait(false);
                await SettleAsync(channel, delivery.Tag, ack: true).ConfigureAwait(false);
            }
            catch (Exception requeueError)
            {
                brokerSilent |= requeueError is PublishTimeoutException;
                LogRequeueFailed(logger, queue, delivery.Message.UnitId, requeueError);
                await SettleAsync(channel, delivery.Tag, ack: false, requeue: true).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Gives a message up: a copy with the reason (prefsuite-error) goes to its dead-letter queue, confirmed, and the
    /// original is acked; if that copy cannot be sent, the broker dead-letters the original (without the reason).
    /// </summary>
    private async Task DeadLetterAsync(IChannel channel, Delivery delivery, int failures, Exception error)
    {
        try
        {
            var reason = error.Message.Length > 2000 ? error.Message[..2000] : error.Message;
            await PublishCopyAsync(delivery, failures, delivery.Message.Transient, MessageHeaders.DeadLetterExchange, queue, reason).ConfigureAwait(false);
            await SettleAsync(channel, delivery.Tag, ack: true).ConfigureAwait(false);
        }
        catch (Exception publishError) when (publishError is not OperationCanceledException)
        {
            LogDeadLetterCopyFailed(logger, queue, delivery.Message.UnitId, publishError);
            await SettleAsync(channel, delivery.Tag, ack: false, requeue: false).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes a copy of the message with its failure counts to the back of its queue, confirmed.</summary>
    private Task RequeueCountedAsync(Delivery delivery, int failures, int transient) =>
        PublishCopyAsync(delivery, failures, transient, string.Empty, queue, error: null);

    /// <summary>Publishes a copy of the message with its counts (and a reason, when given) through an exchange, confirmed.</summary>
    private async Task PublishCopyAsync(Delivery delivery, int failures, int transient, string exchange, string routingKey, string? error)
    {
        var message = delivery.Message;
        var headers = new Dictionary<string, object?>
        {
            [MessageHeaders.Type] = message.TypeName,
            [MessageHeaders.Schema] = message.SchemaVersion,
            [MessageHeaders.UnitId] = message.UnitId,
            [MessageHeaders.Failures] = failures,
            [MessageHeaders.Transient] = transient,
        };
        if (delivery.TraceParent is { } parent)
        {
            headers[MessageHeaders.TraceParent] = parent;
        }

        if (error is not null)
        {
            headers[MessageHeaders.Error] = error;
        }

        var properties = new BasicProperties { Persistent = true, MessageId = message.UnitId, Type = message.TypeName, ContentType = "application/x-protobuf", Headers = headers };
        await _retrying.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var retries = _retries ?? throw new InvalidOperationException("no channel to requeue on");
            await connection.PublishConfirmedAsync(ct => retries.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, message.Body, ct).AsTask(), 1, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _retrying.Release();
        }
    }

    private static int Number(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) && value is not null ? Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>Takes what has arrived (up to the batch size, lingering briefly for more) and handles it as one batch.</summary>
    private async Task BatchLoopAsync(IChannel channel, IBatchQueueHandler batcher, ChannelReader<Delivery> reader)
    {
        var batch = new List<Delivery>(batcher.MaxBatch);
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            var linger = Task.Delay(BatchLinger);
            while (batch.Count < batcher.MaxBatch)
            {
                if (reader.TryRead(out var next))
                {
                    batch.Add(next);
                    continue;
                }

                if (batch.Count > 0 && (linger.IsCompleted || reader.Completion.IsCompleted))
                {
                    break;
                }

                await Task.WhenAny(reader.WaitToReadAsync().AsTask(), linger).ConfigureAwait(false);
            }

            using var activity = Activities.StartActivity($"{queue} process batch", ActivityKind.Consumer);
            activity?.SetTag("messaging.batch.message_count", batch.Count);
            try
            {
                await batcher.HandleBatchAsync(batch.Select(d => d.Message).ToArray(), _hardStop.Token).ConfigureAwait(false);
                foreach (var delivery in batch)
                {
                    await SettleAsync(channel, delivery.Tag, ack: true).ConfigureAwait(false);
                    Interlocked.Decrement(ref _inFlight);
                }
            }
            catch (OperationCanceledException) when (_hardStop.IsCancellationRequested)
            {
                foreach (var delivery in batch)
                {
                    await SettleAsync(channel, delivery.Tag, ack: false, requeue: true).ConfigureAwait(false);
                    Interlocked.Decrement(ref _inFlight);
                }
            }
            catch (Exception error) when (batch.Count > 1 && Transience.IsTransient(error) && batch.All(d => d.Message.Transient < connection.Options.TransientRetries))
            {
                // The environment failed the batch (a full disk, the broker away): the batch waits and goes round again whole.
                activity?.SetStatus(ActivityStatusCode.Error, error.Message);
                await RetryTransientAsync(channel, batch, error).ConfigureAwait(false);
                foreach (var _ in batch)
                {
                    Interlocked.Decrement(ref _inFlight);
                }
            }
            catch (Exception error) when (batch.Count == 1 && (error is not OperationCanceledException || !_hardStop.IsCancellationRequested))
            {
                // A batch of one failed: that is the message's own failure.
                activity?.SetStatus(ActivityStatusCode.Error, error.Message);
                await FailAsync(channel, batch[0], error).ConfigureAwait(false);
                Interlocked.Decrement(ref _inFlight);
            }
            catch (Exception error) when (error is not OperationCanceledException || !_hardStop.IsCancellationRequested)
            {
                // One bad message must not fail the others: they are handled one by one, and only a message's own
                // failure counts against its budget.
                LogBatchFailed(logger, queue, batch.Count, error);
                foreach (var delivery in batch)
                {
                    await ProcessAsync(channel, delivery, counted: true).ConfigureAwait(false);
                }
            }
        }
    }

    private static readonly TimeSpan BatchLinger = TimeSpan.FromMilliseconds(20);

    private sealed record Delivery(ulong Tag, QueueMessage Message, string? TraceParent);

    private static string? Header(IDictionary<string, object?> headers, string name) => headers.TryGetValue(name, out var value) ? value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        _ => null,
    } : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Queue}: consumer lost ({Reason}); consuming again")]
    private static partial void LogLost(ILogger logger, string queue, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Queue}: cannot consume (try {Failures}); trying again")]
    private static partial void LogCannotConsume(ILogger logger, string queue, int failures, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Queue} (prefetch {Prefetch})")]
    private static partial void LogConsuming(ILogger logger, string queue, int prefetch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Queue}: unit {UnitId} failed (failure {Failures}); requeued")]
    private static partial void LogRetrying(ILogger logger, string queue, string unitId, int failures, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Queue}: unit {UnitId} failed (failure {Failures}); dead-lettered")]
    private static partial void LogGivingUp(ILogger logger, string queue, string unitId, int failures, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Queue}: {Count} messages met a failure of the environment (retry {Retry}); they wait and go round again")]
    private static partial void LogTransient(ILogger logger, string queue, int count, int retry, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Queue}: unit {UnitId} could not be requeued with its failure count; handed back")]
    private static partial void LogRequeueFailed(ILogger logger, string queue, string unitId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Queue}: unit {UnitId} could not be dead-lettered with its reason; the broker dead-letters it without")]
    private static partial void LogDeadLetterCopyFailed(ILogger logger, string queue, string unitId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Queue}: a batch of {Count} failed; handling its messages one by one")]
    private static partial void LogBatchFailed(ILogger logger, string queue, int count, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Queue}: could not report the failure of unit {UnitId}")]
    private static partial void LogReportFailed(ILogger logger, string queue, string unitId, Exception error);
}

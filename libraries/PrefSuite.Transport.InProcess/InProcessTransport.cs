using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using PrefSuite.Workflow;

namespace PrefSuite.Transport.InProcess;

/// <summary>
/// Carries a run's messages between the workflow and the stage handlers inside one process: a channel per topic and a
/// loop per handler, with the stack's delivery rules — outputs sent before inputs are settled, a batch that fails
/// retried message by message, a message whose handler failed <see cref="FailureBudget"/> times (or that can never
/// succeed) given up and reported on its run. Messages are copied through their wire form, as a broker would.
/// Nothing survives the process: <see cref="Durable"/> is false, so the workflow sends unfinished work again on resume.
/// </summary>
public sealed partial class InProcessTransport(ILogger<InProcessTransport> logger) : IStageTransport, IAsyncDisposable
{
    private readonly Dictionary<Topic, Channel<Delivered>> _channels = StageNames.Topics.ToDictionary(t => t, _ => Channel.CreateUnbounded<Delivered>());
    private readonly List<IStageHandler> _handlers = [];
    private readonly List<Task> _loops = [];
    private CancellationTokenSource? _stopping;

    /// <summary>Handler failures a message may cause before it is given up.</summary>
    public int FailureBudget { get; init; } = 3;

    /// <summary>Retries after failures of the environment before they spend the budget.</summary>
    public int TransientRetries { get; init; } = 60;

    public bool Durable => false;

    /// <summary>Adds the handler of a topic (before <see cref="Start"/>).</summary>
    public void Register(IStageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(handler);
    }

    public Task SendAsync(IReadOnlyList<Envelope> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var envelope in messages)
        {
            var copy = envelope.Message.Descriptor.Parser.ParseFrom(envelope.Message.ToByteString());
            if (!_channels[envelope.Topic].Writer.TryWrite(new Delivered(copy, envelope.Id)))
            {
                throw new InvalidOperationException($"The in-process transport is stopped; {envelope.Id} was not sent.");
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Starts one loop per registered handler.</summary>
    public void Start()
    {
        _stopping = new CancellationTokenSource();
        foreach (var handler in _handlers)
        {
            var token = _stopping.Token;
            _loops.Add(Task.Run(() => LoopAsync(handler, token), CancellationToken.None));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_loops).ConfigureAwait(false);
            _stopping.Dispose();
        }

        foreach (var channel in _channels.Values)
        {
            channel.Writer.TryComplete();
        }
    }

    private async Task LoopAsync(IStageHandler handler, CancellationToken stoppingToken)
    {
        var reader = _channels[handler.Topic].Reader;
        var batch = new List<Delivered>(handler.MaxBatch);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < handler.MaxBatch && reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                try
                {
                    await SendAsync(await handler.HandleAsync(batch, stoppingToken).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
                }
                catch (Exception error) when (batch.Count == 1 && (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested))
                {
                    await FailedAsync(handler, batch[0], error, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // One bad message must not fail the others: they are handled one by one, and only a message's own
                    // failure counts against its budget.
                    LogBatchFailed(logger, handler.Topic, batch.Count, error);
                    foreach (var message in batch)
                    {
                        await HandleOneAsync(handler, message, stoppingToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: what was in hand is lost with the process, and sent again when the run resumes
        }
    }

    private async Task HandleOneAsync(IStageHandler handler, Delivered message, CancellationToken stoppingToken)
    {
        try
        {
            await SendAsync(await handler.HandleAsync([message], stoppingToken).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            await FailedAsync(handler, message, error, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task FailedAsync(IStageHandler handler, Delivered message, Exception error, CancellationToken stoppingToken)
    {
        if (error is not InvalidRequestException && Transience.IsTransient(error) && message.Transient < TransientRetries)
        {
            // A failure of the environment (a full disk): wait, and go round again without spending the budget.
            LogRetrying(logger, handler.Topic, message.Id, message.Failures, error);
            await Task.Delay(Transience.Backoff(message.Transient), stoppingToken).ConfigureAwait(false);
            _channels[handler.Topic].Writer.TryWrite(message with { Transient = message.Transient + 1 });
            return;
        }

        var failures = message.Failures + 1;
        if (error is InvalidRequestException or InvalidProtocolBufferException || failures >= FailureBudget)
        {
            LogGivingUp(logger, handler.Topic, message.Id, failures, error);
            if (handler.GiveUp(message, error) is { } report)
            {
                await SendAsync([report], stoppingToken).ConfigureAwait(false);
            }
        }
        else
        {
            LogRetrying(logger, handler.Topic, message.Id, failures, error);
            _channels[handler.Topic].Writer.TryWrite(message with { Failures = failures });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Topic}: a batch of {Count} failed; handling its messages one by one")]
    private static partial void LogBatchFailed(ILogger logger, Topic topic, int count, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Topic}: {Id} failed (failure {Failures}); trying again")]
    private static partial void LogRetrying(ILogger logger, Topic topic, string id, int failures, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Topic}: {Id} failed (failure {Failures}); given up")]
    private static partial void LogGivingUp(ILogger logger, Topic topic, string id, int failures, Exception error);
}

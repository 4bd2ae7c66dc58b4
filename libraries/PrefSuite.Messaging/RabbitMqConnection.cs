using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;

namespace PrefSuite.Messaging;

/// <summary>
/// The process's one RabbitMQ connection. In a service it is the connection Aspire.RabbitMQ.Client registers (its connect
/// retries, health check and traces), opened on first use and recovering by itself after a broker restart; consumers and
/// publishers open their channels again while it recovers. A tool or test without a host opens and owns its own.
/// </summary>
public sealed partial class RabbitMqConnection : IAsyncDisposable
{
    private readonly IOptions<MessagingOptions> _options;
    private readonly ILogger<RabbitMqConnection> _logger;
    private readonly Func<IConnection>? _shared;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly BrokerAlarms _alarms;
    private IConnection? _connection;

    /// <summary>A connection of its own, opened on first use with retries (the broker may still be starting).</summary>
    public RabbitMqConnection(IOptions<MessagingOptions> options, ILogger<RabbitMqConnection> logger)
    {
        _options = options;
        _logger = logger;
        _alarms = new BrokerAlarms(logger);
    }

    /// <summary>The host's shared connection, resolved on first use (resolving connects, and may wait for the broker).</summary>
    internal RabbitMqConnection(IOptions<MessagingOptions> options, Func<IConnection> shared, ILogger<RabbitMqConnection> logger)
        : this(options, logger) => _shared = shared;

    public MessagingOptions Options => _options.Value;

    /// <summary>
    /// The connection, open when this returns unless it stayed closed for <see cref="RecoveryWait"/>: a caller that lost
    /// its channel to a broker restart opens the next one as soon as the shared connection has recovered, not after
    /// its own backoff.
    /// </summary>
    public async Task<IConnection> GetAsync(CancellationToken cancellationToken = default)
    {
        if (Usable(_connection) is { } connection)
        {
            if (!connection.IsOpen)
            {
                await WaitForRecoveryAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Usable(_connection) is { } again)
            {
                return again;
            }

            _connection = _shared is null
                ? await OpenOwnAsync(cancellationToken).ConfigureAwait(false)
                : await Task.Run(_shared, cancellationToken).ConfigureAwait(false); // the integration connects synchronously
            _alarms.Watch(_connection);
            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The broker's reason while it blocks this connection's publishes (a resource alarm: "low on disk", "low on
    /// memory"), else null.
    /// </summary>
    public string? BlockedBy => _alarms.BlockedBy;

    /// <summary>
    /// Runs a publish (with opening its channel and declaring its queues) and waits for its confirms at most
    /// <see cref="MessagingOptions.PublishTimeout"/>; past that, or when the client itself gives up waiting for the
    /// broker, it fails with a <see cref="PublishTimeoutException"/>, which names the broker's alarm when one blocks this
    /// connection. While the broker blocks the connection the publish first waits for it to let go, within the same
    /// limit: sent now, it would only queue one more copy behind the alarm.
    /// </summary>
    internal async Task PublishConfirmedAsync(Func<CancellationToken, Task> publish, int messages, CancellationToken cancellationToken)
    {
        var timeout = Options.PublishTimeout;
        var started = Stopwatch.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _alarms.WaitUntilUnblockedAsync(limit.Token).ConfigureAwait(false);

            // WaitAsync too: the wait for a confirm must end at the limit even where the client would not cancel it.
            await publish(limit.Token).WaitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PublishTimeoutException(messages, Stopwatch.GetElapsedTime(started), timeout, _alarms.BlockedBy);
        }
    }

    /// <summary>How long a caller waits for the shared connection to recover before it gets it closed (and fails).</summary>
    internal static readonly TimeSpan RecoveryWait = TimeSpan.FromSeconds(30);

    private static async Task WaitForRecoveryAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (!connection.IsOpen && Stopwatch.GetElapsedTime(started) < RecoveryWait)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The shared connection is kept while it recovers; an own connection that closed is opened again.</summary>
    private IConnection? Usable(IConnection? connection) => _shared is not null || connection is { IsOpen: true } ? connection : null;

    /// <summary>What every connection of the product sets on its factory: its name in the broker's UI, and quick recovery.</summary>
    internal static void Configure(ConnectionFactory factory)
    {
        factory.ClientProvidedName = AppDomain.CurrentDomain.FriendlyName;
        factory.AutomaticRecoveryEnabled = true;

        // The connection and its channels recover; queues and consumers do not. Each consumer declares its queue and
        // subscribes again itself once it sees its channel lost. A consumer the library recovered on a channel its owner
        // was still draining took deliveries nobody handled: it handed them back at once, over and over, until the
        // broker's delivery limit dead-lettered healthy units (the chaos suite's broker restarts showed 8-32 of them).
        factory.TopologyRecoveryEnabled = false;
        factory.NetworkRecoveryInterval = TimeSpan.FromSeconds(1); // a local or in-cluster broker: a restart costs seconds, not 5 s more
    }

    private async Task<IConnection> OpenOwnAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_options.Value.ConnectionString) };
        Configure(factory);
        var retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 20,
            Delay = TimeSpan.FromSeconds(1),
            BackoffType = DelayBackoffType.Constant,
            ShouldHandle = new PredicateBuilder().Handle<RabbitMQ.Client.Exceptions.BrokerUnreachableException>(),
            OnRetry = args =>
            {
                LogRetry(_logger, args.AttemptNumber + 1);
                return ValueTask.CompletedTask;
            },
        }).Build();
        return await retry.ExecuteAsync(async ct => await factory.CreateConnectionAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // The shared connection belongs to the host's container, which closes it.
        if (_shared is null && _connection is not null)
        {
            if (!await BoundedClose.CloseAsync(() => _connection.CloseAsync(), _connection).ConfigureAwait(false))
            {
                LogCloseUnanswered(_logger, _alarms.BlockedBy ?? "no reason given");
            }
        }

        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ is not reachable yet (attempt {Attempt}); retrying")]
    private static partial void LogRetry(ILogger logger, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ did not answer this connection's close ({Reason}); it is dropped in the background")]
    private static partial void LogCloseUnanswered(ILogger logger, string reason);
}

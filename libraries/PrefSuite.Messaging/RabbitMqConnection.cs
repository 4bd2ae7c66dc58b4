using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;

namespace PrefSuite.Messaging;

/// <summary>The process's one RabbitMQ connection, opened on first use with retries (the broker may still be starting).</summary>
public sealed partial class RabbitMqConnection(IOptions<MessagingOptions> options, ILogger<RabbitMqConnection> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public MessagingOptions Options => options.Value;

    /// <summary>Whether the connection is open now (readiness).</summary>
    public bool IsOpen => _connection is { IsOpen: true };

    public async Task<IConnection> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_connection is { IsOpen: true } open)
        {
            return open;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { IsOpen: true } again)
            {
                return again;
            }

            var factory = new ConnectionFactory
            {
                Uri = new Uri(options.Value.ConnectionString),
                ClientProvidedName = AppDomain.CurrentDomain.FriendlyName,
                AutomaticRecoveryEnabled = true,
            };
            var retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 20,
                Delay = TimeSpan.FromSeconds(1),
                BackoffType = DelayBackoffType.Constant,
                ShouldHandle = new PredicateBuilder().Handle<RabbitMQ.Client.Exceptions.BrokerUnreachableException>(),
                OnRetry = args =>
                {
                    LogRetry(logger, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            }).Build();
            _connection = await retry.ExecuteAsync(async ct => await factory.CreateConnectionAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync().ConfigureAwait(false);
            _connection.Dispose();
        }

        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ is not reachable yet (attempt {Attempt}); retrying")]
    private static partial void LogRetry(ILogger logger, int attempt);
}

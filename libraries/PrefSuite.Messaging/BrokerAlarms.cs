using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace PrefSuite.Messaging;

/// <summary>
/// A broker short of disk or memory blocks every connection that publishes until it has room again, and says so on the
/// connection. Followed here so that it is logged, so that publishes wait it out instead of queueing copies behind it,
/// and so that a publish that times out can name it.
/// </summary>
internal sealed partial class BrokerAlarms(ILogger logger)
{
    private readonly Lock _lock = new();
    private IConnection? _watched;
    private string? _blockedBy;
    private TaskCompletionSource _unblocked = Unblocked();

    /// <summary>The broker's reason while it blocks the connection ("low on disk", "low on memory"), else null.</summary>
    public string? BlockedBy
    {
        get
        {
            lock (_lock)
            {
                return _blockedBy;
            }
        }
    }

    /// <summary>Follows <paramref name="connection"/> from now on; a connection it replaced is no longer heard.</summary>
    public void Watch(IConnection connection)
    {
        lock (_lock)
        {
            _watched = connection;
            SetUnblocked();
        }

        connection.ConnectionBlockedAsync += (_, args) =>
        {
            if (Change(connection, args.Reason))
            {
                LogBlocked(logger, args.Reason);
            }

            return Task.CompletedTask;
        };
        connection.ConnectionUnblockedAsync += (_, _) =>
        {
            if (BlockedBy is not null)
            {
                LogUnblocked(logger);
            }

            Change(connection, null);
            return Task.CompletedTask;
        };

        // A connection that dropped, or came back, starts unblocked: the broker says so again if it still blocks.
        connection.ConnectionShutdownAsync += (_, _) =>
        {
            Change(connection, null);
            return Task.CompletedTask;
        };
        connection.RecoverySucceededAsync += (_, _) =>
        {
            Change(connection, null);
            return Task.CompletedTask;
        };
    }

    /// <summary>Waits until the broker lets the connection publish (at once when it does not block it).</summary>
    public Task WaitUntilUnblockedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _unblocked.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Records a block (a reason) or its end (null) on the watched connection; true when that changed anything.</summary>
    private bool Change(IConnection connection, string? blockedBy)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(connection, _watched) || _blockedBy == blockedBy)
            {
                return false;
            }

            if (blockedBy is null)
            {
                SetUnblocked();
            }
            else
            {
                _blockedBy = blockedBy;
                if (_unblocked.Task.IsCompleted)
                {
                    _unblocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            return true;
        }
    }

    private void SetUnblocked()
    {
        _blockedBy = null;
        _unblocked.TrySetResult();
    }

    private static TaskCompletionSource Unblocked()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ blocks this connection's publishes: {Reason}. Work waits until the broker has room again (free disk space or memory on the broker; see its log)")]
    private static partial void LogBlocked(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "RabbitMQ accepts this connection's publishes again")]
    private static partial void LogUnblocked(ILogger logger);
}

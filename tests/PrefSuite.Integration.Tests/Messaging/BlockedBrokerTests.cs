using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PrefSuite.Contracts.V1;
using PrefSuite.Integration.Tests.Infrastructure;
using PrefSuite.Messaging;
using static PrefSuite.Integration.Tests.Infrastructure.Messaging;

namespace PrefSuite.Integration.Tests.Messaging;

/// <summary>
/// A broker out of disk blocks every connection that publishes until it has room again (RabbitMQ's free-disk alarm,
/// raised here on the real test broker): a publish then waits for it, without sending, and goes through when the alarm
/// clears, or fails at its timeout naming the alarm, instead of waiting without a word.
/// </summary>
[Collection("servers")]
public sealed class BlockedBrokerTests(Servers servers) : IAsyncLifetime
{
    private const string Queue = "prefsuite.test";

    public Task InitializeAsync() => servers.ResetQueuesAsync();

    public Task DisposeAsync() => servers.DiskAlarmAsync(raise: false);

    [Fact]
    public async Task PublishesWhileTheBrokerIsBlockedWaitAndGoThroughOnceTheAlarmClears()
    {
        var log = new Recorded();
        await using var connection = Connection(servers.RabbitMq, publishTimeout: TimeSpan.FromSeconds(60), log: log);
        await using var bus = new RabbitMqStageBus(connection);
        await bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "before" }, "r/p/before");
        Task first, second;
        try
        {
            await servers.DiskAlarmAsync(raise: true);
            first = bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "first" }, "r/p/first"); // the broker blocks the connection at its first publish
            Assert.True(await EventuallyAsync(() => connection.BlockedBy is not null, seconds: 30), "the broker did not block the connection");
            Assert.Equal("low on disk", connection.BlockedBy);
            Assert.Contains(log.Lines, l => l.Level == LogLevel.Warning && l.Text.StartsWith("RabbitMQ blocks this connection's publishes: low on disk.", StringComparison.Ordinal));

            second = bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "second" }, "r/p/second");
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.False(first.IsCompleted || second.IsCompleted); // waiting for the broker: neither failed nor confirmed
        }
        finally
        {
            await servers.DiskAlarmAsync(raise: false);
        }

        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(connection.BlockedBy);
        Assert.Contains(log.Lines, l => l.Level == LogLevel.Information && l.Text == "RabbitMQ accepts this connection's publishes again");
        Assert.Equal(3u, await QueueTests.CountAsync(servers.RabbitMq, Queue));
    }

    [Fact]
    public async Task APublishTheBrokerBlocksPastItsTimeoutFailsNamingTheAlarmAndItsRetrySendsNoCopy()
    {
        await using var connection = Connection(servers.RabbitMq, publishTimeout: TimeSpan.FromSeconds(3));
        await using var bus = new RabbitMqStageBus(connection);
        await bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "before" }, "r/p/before");
        try
        {
            await servers.DiskAlarmAsync(raise: true);
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<PublishTimeoutException>(() => bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "during" }, "r/p/during"));
            clock.Stop();

            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(15));
            Assert.Equal("low on disk", error.BlockedBy);
            Assert.Equal(
                "RabbitMQ did not take 1 message in 3 s (Messaging:PublishTimeout is 3 s): the broker blocks this connection's publishes (low on disk), and lets them through once it has room again; free disk space or memory on the broker (its log names the alarm).",
                error.Message);
            Assert.True(PrefSuite.Workflow.Transience.IsTransient(error)); // retried by the transports, not charged to the unit

            // A retry while the broker still blocks waits for it without sending: it would only queue a copy.
            var retry = await Assert.ThrowsAsync<PublishTimeoutException>(() => bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "during" }, "r/p/during"));
            Assert.Equal("low on disk", retry.BlockedBy);
        }
        finally
        {
            await servers.DiskAlarmAsync(raise: false);
        }

        Assert.True(await EventuallyAsync(() => connection.BlockedBy is null, seconds: 30), "the broker did not unblock the connection");
        await bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "after" }, "r/p/after");

        // The publish that timed out had been sent, and the broker took it in when it unblocked (a redelivery, were it
        // sent again, which every consumer tolerates); the retry never was.
        Assert.Equal(3u, await QueueTests.CountAsync(servers.RabbitMq, Queue));
    }

    private sealed class Recorded : ILogger<RabbitMqConnection>
    {
        public ConcurrentQueue<(LogLevel Level, string Text)> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue((logLevel, formatter(state, exception)));
    }
}

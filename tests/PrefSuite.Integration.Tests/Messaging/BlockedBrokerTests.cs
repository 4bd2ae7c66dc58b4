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
/// raised here on the real test broker): a publish then fails in its time, naming the alarm, instead of waiting without
/// a word; once the alarm clears, publishing works again on the same connection.
/// </summary>
[Collection("servers")]
public sealed class BlockedBrokerTests(Servers servers) : IAsyncLifetime
{
    private const string Queue = "prefsuite.test";

    public Task InitializeAsync() => servers.ResetQueuesAsync();

    public Task DisposeAsync() => servers.DiskAlarmAsync(raise: false);

    [Fact]
    public async Task APublishTheBrokerBlocksFailsInItsTimeNamingTheAlarmAndPublishingResumesWhenItClears()
    {
        var log = new Recorded();
        await using var connection = Connection(servers.RabbitMq, publishTimeout: TimeSpan.FromSeconds(3), log: log);
        await using var bus = new RabbitMqStageBus(connection);
        await bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "before" }, "r/p/before");

        await servers.DiskAlarmAsync(raise: true);
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<PublishTimeoutException>(() => bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "during" }, "r/p/during"));
        clock.Stop();

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(15));
        Assert.Equal("low on disk", error.BlockedBy);
        Assert.StartsWith("RabbitMQ did not confirm 1 message within 3 s (Messaging:PublishTimeout): the broker blocks this connection's publishes (low on disk)", error.Message, StringComparison.Ordinal);
        Assert.True(PrefSuite.Workflow.Transience.IsTransient(error)); // retried by the transports, not charged to the unit
        Assert.Contains(log.Lines, l => l.Level == LogLevel.Warning && l.Text.StartsWith("RabbitMQ blocks this connection's publishes: low on disk.", StringComparison.Ordinal));

        await servers.DiskAlarmAsync(raise: false);
        Assert.True(await EventuallyAsync(() => connection.BlockedBy is null, seconds: 30), "the broker did not unblock the connection");
        await bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "after" }, "r/p/after");

        // The broker kept the blocked publish and took it in when it unblocked: published twice by a retry, it would be
        // a redelivery, which every consumer tolerates.
        Assert.True(await EventuallyAsync(() => QueueTests.CountAsync(servers.RabbitMq, Queue).Result == 3), $"{await QueueTests.CountAsync(servers.RabbitMq, Queue)} messages");
        Assert.Contains(log.Lines, l => l.Level == LogLevel.Information && l.Text == "RabbitMQ accepts this connection's publishes again");
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

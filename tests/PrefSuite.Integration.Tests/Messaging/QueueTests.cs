using System.Collections.Concurrent;
using PrefSuite.Contracts.V1;
using PrefSuite.Integration.Tests.Infrastructure;
using PrefSuite.Messaging;
using RabbitMQ.Client;
using static PrefSuite.Integration.Tests.Infrastructure.Messaging;

namespace PrefSuite.Integration.Tests.Messaging;

[Collection("servers")]
public class QueueTests(Servers servers) : IAsyncLifetime
{
    private const string Queue = "prefsuite.test";

    public Task InitializeAsync() => servers.ResetQueuesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AUnitTravelsThroughAQueueWithItsTypeAndId()
    {
        await using var connection = Connection(servers.RabbitMq);
        await using var bus = new RabbitMqStageBus(connection);
        var handler = new Recording();
        using var consumer = Consumer(Queue, handler, connection);
        await consumer.StartAsync(CancellationToken.None);

        var unit = new SampleUnit { RunId = "r1", Prompt = new Prompt { PromptId = "p1", Text = "sort 2 1 =" }, Sampling = new SamplingParams { N = 4 } };
        await bus.PublishAsync(Queue, unit, "r1/p1/sample");

        Assert.True(await EventuallyAsync(() => handler.Messages.Count == 1));
        var message = Assert.Single(handler.Messages);
        Assert.Equal(("prefsuite.v1.SampleUnit", "v1", "r1/p1/sample", 0), (message.TypeName, message.SchemaVersion, message.UnitId, message.DeliveryCount));
        Assert.Equal(unit, ProtoMessages.Parse<SampleUnit>(message));
        await consumer.StopAsync(CancellationToken.None);
        Assert.Equal(0u, await CountAsync(servers.RabbitMq, Queue));
    }

    [Fact]
    public async Task TransientFailuresAreRetriedThenDeadLetteredWhenTheirFailureBudgetIsSpent()
    {
        await using var connection = Connection(servers.RabbitMq, failureBudget: 3);
        await using var bus = new RabbitMqStageBus(connection);
        var handler = new Recording { Fail = _ => new InvalidOperationException("a bug in the handler") };
        using var consumer = Consumer(Queue, handler, connection);
        await consumer.StartAsync(CancellationToken.None);

        await bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "x" }, "r/p/x");

        Assert.True(await EventuallyAsync(() => handler.GaveUp.Count == 1));
        await consumer.StopAsync(CancellationToken.None);
        Assert.Equal([0, 1, 2], handler.Messages.Select(m => m.Failures)); // counted on the message, not by redelivery
        Assert.Equal("a bug in the handler", handler.GaveUp.Single().Message);
        Assert.True(await EventuallyAsync(() => CountAsync(servers.RabbitMq, Queue + ".dead").Result == 1));
    }

    [Fact]
    public async Task FailuresOfTheEnvironmentAreRetriedWithBackoffWithoutSpendingTheBudget()
    {
        await using var connection = Connection(servers.RabbitMq, failureBudget: 3);
        await using var bus = new RabbitMqStageBus(connection);
        var handler = new Recording { Fail = m => m.Transient < 4 ? new IOException("No space left on device") : null };
        using var consumer = Consumer(Queue, handler, connection);
        await consumer.StartAsync(CancellationToken.None);

        await bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "x" }, "r/p/x");

        // More failures than the budget of 3, all of the disk: waited out (0.5 + 1 + 2 + 4 s), then handled.
        Assert.True(await EventuallyAsync(() => handler.Messages.Count == 5, seconds: 40), $"{handler.Messages.Count} deliveries");
        await consumer.StopAsync(CancellationToken.None);
        Assert.Equal([0, 1, 2, 3, 4], handler.Messages.Select(m => m.Transient));
        Assert.All(handler.Messages, m => Assert.Equal(0, m.Failures));
        Assert.Empty(handler.GaveUp);
        Assert.Equal(0u, await CountAsync(servers.RabbitMq, Queue + ".dead"));
    }

    [Fact]
    public async Task CrashesThatReturnAMessageUnackedSpendNoneOfItsFailureBudget()
    {
        // A queue of its own: the shared test queue may still be finishing a deletion by an earlier test.
        var queue = "prefsuite.test-crash-" + Guid.NewGuid().ToString("N")[..8];
        await using var bus = new RabbitMqStageBus(Connection(servers.RabbitMq));
        await bus.PublishAsync(queue, new StageEvent { RunId = "r", Stage = "x" }, "r/p/x");

        // Four consumers in a row die holding the message (their connections drop before the ack), more crashes than
        // the failure budget of 3: the message must still reach a healthy consumer, not the dead-letter queue.
        for (var crash = 0; crash < 4; crash++)
        {
            await using var dying = Connection(servers.RabbitMq);
            var handler = new Recording { Fail = _ => Abort(dying) };
            using var consumer = Consumer(queue, handler, dying);
            await consumer.StartAsync(CancellationToken.None);
            Assert.True(await EventuallyAsync(() => !handler.Messages.IsEmpty), $"crash {crash}: nothing delivered");
            await consumer.StopAsync(CancellationToken.None);
            Assert.Empty(handler.GaveUp);
        }

        await using var healthy = Connection(servers.RabbitMq);
        var survivor = new Recording();
        using var last = Consumer(queue, survivor, healthy);
        await last.StartAsync(CancellationToken.None);
        Assert.True(await EventuallyAsync(() => survivor.Messages.Count == 1));
        await last.StopAsync(CancellationToken.None);
        var message = survivor.Messages.Single();
        Assert.True(message.DeliveryCount >= 4, $"delivered {message.DeliveryCount} times before");
        Assert.Equal(0, message.Failures);
        Assert.Equal(0u, await CountAsync(servers.RabbitMq, queue + ".dead"));
        Assert.Equal(0u, await CountAsync(servers.RabbitMq, queue));
    }

    /// <summary>Drops the consumer's connection from under it (as a kill -9 would) and fails the handler, so no ack is sent.</summary>
    private static OperationCanceledException Abort(RabbitMqConnection connection)
    {
        // Closing waits for the connection's consumers, this handler included: abort from another task, and return
        // only once the connection is gone, so nothing this consumer does afterwards can reach the broker.
        var open = connection.GetAsync().GetAwaiter().GetResult();
        _ = Task.Run(async () => await open.AbortAsync());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (open.IsOpen && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Thread.Sleep(100);
        return new OperationCanceledException("the process died");
    }

    [Fact]
    public async Task APoisonMessageIsDeadLetteredAtOnce()
    {
        await using var connection = Connection(servers.RabbitMq);
        var handler = new Recording { Parse = m => ProtoMessages.Parse<SampleUnit>(m) };
        using var consumer = Consumer(Queue, handler, connection);
        await consumer.StartAsync(CancellationToken.None);

        await PublishRawAsync(servers.RabbitMq, Queue, "prefsuite.v1.SampleUnit", "r/p/sample", [0xFF, 0xFF, 0xFF, 0x01]);

        Assert.True(await EventuallyAsync(() => handler.GaveUp.Count == 1));
        await consumer.StopAsync(CancellationToken.None);
        Assert.Single(handler.Messages);
        Assert.IsType<PermanentMessageException>(handler.GaveUp.Single());
        Assert.Contains("not a readable prefsuite.v1.SampleUnit", handler.GaveUp.Single().Message, StringComparison.Ordinal);
        Assert.True(await EventuallyAsync(() => CountAsync(servers.RabbitMq, Queue + ".dead").Result == 1));
    }

    [Fact]
    public async Task AConsumerWhoseQueueWasDeletedConsumesAgain()
    {
        await using var connection = Connection(servers.RabbitMq);
        await using var bus = new RabbitMqStageBus(connection);
        var handler = new Recording();
        using var consumer = Consumer(Queue, handler, connection);
        await consumer.StartAsync(CancellationToken.None);
        await bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "before" }, "r/p/before");
        Assert.True(await EventuallyAsync(() => handler.Messages.Count == 1));

        // Deleting the queue cancels its consumer at the broker; the consumer declares the queue again and resumes.
        var factory = new ConnectionFactory { Uri = new Uri(servers.RabbitMq) };
        await using (var admin = await factory.CreateConnectionAsync())
        await using (var channel = await admin.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(Queue);
        }

        Assert.True(await EventuallyAsync(() => ConsumersAsync(servers.RabbitMq, Queue).Result == 1), "the consumer did not come back");

        // RabbitMQ 3.10 finishes deleting a quorum queue after the delete returns; a message published into the dying
        // queue is lost with it, so publish again until one arrives (each has its own unit id).
        var received = false;
        for (var attempt = 0; attempt < 5 && !received; attempt++)
        {
            await bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "after" }, $"r/p/after-{attempt}");
            received = await EventuallyAsync(() => handler.Messages.Any(m => ProtoMessages.Parse<StageEvent>(m).Stage == "after"), seconds: 4);
        }

        Assert.True(received, "nothing was consumed after the queue came back");
        await consumer.StopAsync(CancellationToken.None);
    }

    /// <summary>Consumers of a queue; 0 when it does not exist.</summary>
    internal static async Task<uint> ConsumersAsync(string uri, string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(uri) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).ConsumerCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    internal static async Task<uint> CountAsync(string uri, string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(uri) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var result = await channel.QueueDeclarePassiveAsync(queue);
        return result.MessageCount;
    }

    internal static async Task PublishRawAsync(string uri, string queue, string type, string unitId, byte[] body)
    {
        var factory = new ConnectionFactory { Uri = new Uri(uri) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await QueueTopology.DeclareAsync(channel, queue, new MessagingOptions().DeliveryLimit);
        var properties = new BasicProperties
        {
            Persistent = true,
            Headers = new Dictionary<string, object?> { [MessageHeaders.Type] = type, [MessageHeaders.Schema] = "v1", [MessageHeaders.UnitId] = unitId },
        };
        await channel.BasicPublishAsync(string.Empty, queue, false, properties, body);
    }

    private sealed class Recording : IQueueHandler
    {
        public ConcurrentQueue<QueueMessage> Messages { get; } = new();

        public ConcurrentQueue<Exception> GaveUp { get; } = new();

        public Func<QueueMessage, Exception?> Fail { get; init; } = _ => null;

        public Action<QueueMessage> Parse { get; init; } = _ => { };

        public Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
        {
            Messages.Enqueue(message);
            Parse(message);
            return Fail(message) is { } error ? Task.FromException(error) : Task.CompletedTask;
        }

        public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken)
        {
            GaveUp.Enqueue(failure);
            return Task.CompletedTask;
        }
    }
}

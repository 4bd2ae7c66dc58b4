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
    public async Task TransientFailuresAreRetriedThenDeadLetteredAtTheDeliveryLimit()
    {
        await using var connection = Connection(servers.RabbitMq, deliveryLimit: 3);
        await using var bus = new RabbitMqStageBus(connection);
        var handler = new Recording { Fail = _ => new IOException("disk full") };
        using var consumer = Consumer(Queue, handler, connection);
        await consumer.StartAsync(CancellationToken.None);

        await bus.PublishAsync(Queue, new StageEvent { RunId = "r", Stage = "x" }, "r/p/x");

        Assert.True(await EventuallyAsync(() => handler.GaveUp.Count == 1));
        await consumer.StopAsync(CancellationToken.None);
        Assert.Equal([0, 1, 2], handler.Messages.Select(m => m.DeliveryCount));
        Assert.Equal("disk full", handler.GaveUp.Single().Message);
        Assert.True(await EventuallyAsync(() => CountAsync(servers.RabbitMq, Queue + ".dead").Result == 1));
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
        await QueueTopology.DeclareAsync(channel, queue, 3);
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

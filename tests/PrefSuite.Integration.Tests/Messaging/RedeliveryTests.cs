using Microsoft.Extensions.Time.Testing;
using PrefSuite.Contracts.V1;
using PrefSuite.Integration.Tests.Infrastructure;
using PrefSuite.Messaging;
using PrefSuite.SamplingService;
using PrefSuite.SelectionService;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Selection;
using PrefSuite.Stages.Storage;
using RabbitMQ.Client;
using static PrefSuite.Integration.Tests.Infrastructure.Messaging;

namespace PrefSuite.Integration.Tests.Messaging;

[Collection("servers")]
public sealed class RedeliveryTests(Servers servers) : IAsyncLifetime, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "prefsuite-it-artifacts-" + Guid.NewGuid().ToString("N")[..8]);

    public Task InitializeAsync() => servers.ResetQueuesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task AConsumerCrashBeforeItsAckIsRedeliveredAndCountedOnce()
    {
        var store = new FileArtifactStore(_root);
        await using var busConnection = Connection(servers.RabbitMq);
        await using var bus = new RabbitMqStageBus(busConnection);
        using var policies = new PolicyStore(store);
        using var coordinator = new RunCoordinator(store, policies, bus, new FakeTimeProvider(DateTimeOffset.UnixEpoch), Log<RunCoordinator>());
        var spec = new RunSpec { RunId = "crash-run", Sampling = new SamplingParams { N = 2 }, Policy = new PolicyRef { Checkpoint = "given" } };
        spec.Prompts.Add([new Prompt { PromptId = "p1", Text = "sort 2 1 =" }, new Prompt { PromptId = "p2", Text = "sort 3 1 =" }]);
        await coordinator.SubmitAsync(spec);

        await using var eventsConnection = Connection(servers.RabbitMq);
        var counted = new CountingEvents(coordinator);
        using var eventsConsumer = Consumer(Queues.Events, counted, eventsConnection);
        await eventsConsumer.StartAsync(CancellationToken.None);

        var events = new StageEvents(bus);
        var selection = new SelectHandler(new SelectionStage(store), bus, events, new RunSpecs(store));
        var unit = new PromptUnit { RunId = "crash-run", Prompt = spec.Prompts[0] };
        unit.Responses.Add([Scored("2 1", 0.1), Scored("1 2", 1.0)]);

        // The first consumer does the whole job (stores the unit, publishes its event) and then its connection dies
        // before the ack: the broker hands the message to the next consumer, which does it again.
        var crashingConnection = Connection(servers.RabbitMq);
        var crashing = new CrashAfterWork(selection, crashingConnection);
        using var first = Consumer(Queues.Select, crashing, crashingConnection);
        await first.StartAsync(CancellationToken.None);
        await bus.PublishAsync(Queues.Select, unit, Queues.UnitId("crash-run", "p1", "select"));
        Assert.True(await EventuallyAsync(() => crashing.Crashed));
        await first.StopAsync(CancellationToken.None);

        await using var survivorConnection = Connection(servers.RabbitMq);
        var survivor = new Watching(selection);
        using var second = Consumer(Queues.Select, survivor, survivorConnection);
        await second.StartAsync(CancellationToken.None);

        var arrived = await EventuallyAsync(() => survivor.Handled == 1 && counted.Select == 2);
        Assert.True(arrived, $"survivor handled {survivor.Handled}, select events {counted.Select}, left in queue {await QueueTests.CountAsync(servers.RabbitMq, Queues.Select)}");
        Assert.Equal(1, survivor.LastDeliveryCount);
        var run = coordinator.Get("crash-run")!;
        Assert.Equal(1, run.Stages.Single(s => s.Stage == "select").Done);
        Assert.Equal(["crash-run/selected/p1.pb"], store.List("runs/crash-run/selected").Select(p => p[5..]));
        Assert.Equal(RunState.Running, run.State); // p2 has not arrived: no dataset step yet
        await second.StopAsync(CancellationToken.None);
        await eventsConsumer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AUnitThatCannotSucceedEndsInTheDeadLetterQueueAndOnItsRun()
    {
        var store = new FileArtifactStore(_root);
        await using var connection = Connection(servers.RabbitMq);
        await using var bus = new RabbitMqStageBus(connection);
        using var policies = new PolicyStore(store);
        using var coordinator = new RunCoordinator(store, policies, bus, new FakeTimeProvider(DateTimeOffset.UnixEpoch), Log<RunCoordinator>());
        using var eventsConsumer = Consumer(Queues.Events, new CountingEvents(coordinator), connection);
        await eventsConsumer.StartAsync(CancellationToken.None);
        var sampling = new SampleUnitHandler(new SamplingStage(new PolicySampler(policies)), bus, new StageEvents(bus), new RunSpecs(store));
        using var sampler = Consumer(Queues.Sample, sampling, connection);
        await sampler.StartAsync(CancellationToken.None);

        // The run names a policy that does not exist: its one sample unit can never succeed.
        var spec = new RunSpec { RunId = "poison-run", Sampling = new SamplingParams { N = 2 }, Policy = new PolicyRef { Checkpoint = "no-such-policy" } };
        spec.Prompts.Add(new Prompt { PromptId = "p1", Text = "sort 2 1 =" });
        await coordinator.SubmitAsync(spec);

        Assert.True(await EventuallyAsync(() => coordinator.Get("poison-run")!.State == RunState.Failed));
        var run = coordinator.Get("poison-run")!;
        var dead = Assert.Single(run.DeadLetters);
        Assert.Equal(("sample", "poison-run/p1/sample"), (dead.Stage, dead.UnitId));
        Assert.Contains("no-such-policy", dead.Error, StringComparison.Ordinal);
        Assert.Equal(1u, await QueueTests.CountAsync(servers.RabbitMq, Queues.Sample + ".dead"));
        await sampler.StopAsync(CancellationToken.None);
        await eventsConsumer.StopAsync(CancellationToken.None);
    }

    private static Response Scored(string text, double reward) => new() { Text = text, Reward = new RewardVector { Reward = reward, ScorerId = "test" } };

    private sealed class CountingEvents(RunCoordinator coordinator) : IQueueHandler
    {
        private int _select;

        public int Select => Volatile.Read(ref _select);

        public async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
        {
            var stageEvent = ProtoMessages.Parse<StageEvent>(message);
            if (stageEvent.Stage == "select")
            {
                Interlocked.Increment(ref _select);
            }

            await coordinator.OnEventAsync(stageEvent, cancellationToken);
        }

        public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class CrashAfterWork(IQueueHandler inner, RabbitMqConnection connection) : IQueueHandler
    {
        public bool Crashed { get; private set; }

        public async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
        {
            await inner.HandleAsync(message, cancellationToken);

            // The process "dies" here, before the ack: its connection is aborted and the handler never returns normally.
            // (The abort runs on another task: closing waits for the connection's consumers, this one included.)
            Crashed = true;
            var open = await connection.GetAsync(CancellationToken.None);
            _ = Task.Run(async () => await open.AbortAsync(), CancellationToken.None);
            await Task.Delay(200, CancellationToken.None);
            throw new OperationCanceledException("the process died");
        }

        public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Watching(IQueueHandler inner) : IQueueHandler
    {
        public int Handled { get; private set; }

        public int LastDeliveryCount { get; private set; } = -1;

        public async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
        {
            LastDeliveryCount = message.DeliveryCount;
            await inner.HandleAsync(message, cancellationToken);
            Handled++;
        }

        public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken) => inner.OnGiveUpAsync(message, failure, cancellationToken);
    }
}

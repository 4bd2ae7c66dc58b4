using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PrefSuite.Contracts.V1;
using PrefSuite.Integration.Tests.Infrastructure;
using PrefSuite.Messaging;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Selection;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;
using PrefSuite.Workflow;
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
        await using var coordinator = Coordinator(store, bus);
        var spec = new RunSpec { RunId = "crash-run", Sampling = new SamplingParams { N = 2 }, Policy = new PolicyRef { Checkpoint = "given" } };
        spec.Prompts.Add([new Prompt { PromptId = "p1", Text = "sort 2 1 =" }, new Prompt { PromptId = "p2", Text = "sort 3 1 =" }]);
        await coordinator.SubmitAsync(spec);

        await using var eventsConnection = Connection(servers.RabbitMq);
        var counted = new CountingEvents(coordinator);
        using var eventsConsumer = Consumer(Topic.Events.QueueName(), counted, eventsConnection);
        await eventsConsumer.StartAsync(CancellationToken.None);

        var selection = new StageQueueHandler(new SelectHandler(new SelectionStage(store), new RunSpecs(store)), bus);
        var unit = new PromptUnit { RunId = "crash-run", Prompt = spec.Prompts[0] };
        unit.Responses.Add([Scored("2 1", 0.1), Scored("1 2", 1.0)]);

        // The first consumer does the whole job (stores the unit, publishes its event) and then its connection dies
        // before the ack: the broker hands the message to the next consumer, which does it again.
        var crashingConnection = Connection(servers.RabbitMq);
        var crashing = new CrashAfterWork(selection, crashingConnection);
        using var first = Consumer(Topic.Select.QueueName(), crashing, crashingConnection);
        await first.StartAsync(CancellationToken.None);
        await bus.SendAsync([new Envelope(Topic.Select, unit, new UnitId("crash-run", "p1", Stage.Select).ToString())]);
        Assert.True(await EventuallyAsync(() => crashing.Crashed));
        await first.StopAsync(CancellationToken.None);

        await using var survivorConnection = Connection(servers.RabbitMq);
        var survivor = new Watching(selection);
        using var second = Consumer(Topic.Select.QueueName(), survivor, survivorConnection);
        await second.StartAsync(CancellationToken.None);

        var arrived = await EventuallyAsync(() => survivor.Handled == 1 && counted.Select == 2);
        Assert.True(arrived, $"survivor handled {survivor.Handled}, select events {counted.Select}, left in queue {await QueueTests.CountAsync(servers.RabbitMq, Topic.Select.QueueName())}");
        Assert.Equal(1, survivor.LastDeliveryCount);
        var run = coordinator.Get("crash-run")!;
        Assert.Equal(1, run.Stages.Single(s => s.Stage == "select").Done);
        Assert.Equal(["crash-run/selected/p1.pb"], (await store.ListAsync("runs/crash-run/selected").ToListAsync()).Select(p => p[5..]));
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
        await using var coordinator = Coordinator(store, bus);
        await coordinator.StartAsync();
        using var eventsConsumer = Consumer(Topic.Events.QueueName(), new CountingEvents(coordinator), connection);
        await eventsConsumer.StartAsync(CancellationToken.None);
        var sampling = new StageQueueHandler(new SampleHandler(new SamplingStage(new PolicySampler(policies)), new RunSpecs(store)), bus);
        using var sampler = Consumer(Topic.Sample.QueueName(), sampling, connection);
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
        Assert.Equal(1u, await QueueTests.CountAsync(servers.RabbitMq, Topic.Sample.QueueName() + ".dead"));
        await sampler.StopAsync(CancellationToken.None);
        await eventsConsumer.StopAsync(CancellationToken.None);
    }

    private static RunCoordinator Coordinator(FileArtifactStore store, RabbitMqStageBus bus) =>
        new(store, bus, new RunSpecRules(TimeProvider.System), Options.Create(new WorkflowOptions()), new FakeTimeProvider(DateTimeOffset.UnixEpoch), Log<RunCoordinator>());

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

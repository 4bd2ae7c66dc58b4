using Microsoft.Extensions.Logging.Abstractions;
using PrefSuite.Contracts.V1;
using PrefSuite.Transport.InProcess;

namespace PrefSuite.Workflow.Tests;

public class InProcessTransportTests
{
    [Fact]
    public async Task AHandlerFailureIsRetriedWithinItsBudgetThenReportedOnItsRunAndTheOthersGoOn()
    {
        await using var transport = new InProcessTransport(NullLogger<InProcessTransport>.Instance) { FailureBudget = 3 };
        var events = new Collecting();
        var stage = new Flaky(failuresOfP1: 5);
        transport.Register(stage);
        transport.Register(events);
        transport.Start();

        await transport.SendAsync([Unit("p0"), Unit("p1"), Unit("p2")]);
        await events.Arrived(3).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["r/p0/sample/done", "r/p1/sample/failed", "r/p2/sample/done"], events.Ids.Order());
        Assert.Equal(4, stage.Attempts("p1")); // the batch it failed in, then its own budget of 3, not more
        Assert.Equal("p1 is broken", events.Events.Single(e => e.Failed).Error);
    }

    private static Envelope Unit(string prompt) =>
        new(Topic.Sample, new SampleUnit { RunId = "r", Prompt = new Prompt { PromptId = prompt, Text = "x" } }, $"r/{prompt}/sample");

    private sealed class Flaky(int failuresOfP1) : IStageHandler
    {
        private readonly Dictionary<string, int> _attempts = [];

        public Topic Topic => Topic.Sample;

        public int MaxBatch => 8;

        public int Attempts(string prompt)
        {
            lock (_attempts)
            {
                return _attempts.GetValueOrDefault(prompt);
            }
        }

        public Task<IReadOnlyList<Envelope>> HandleAsync(IReadOnlyList<Delivered> messages, CancellationToken cancellationToken)
        {
            var units = messages.Select(m => (SampleUnit)m.Message).ToArray();
            lock (_attempts)
            {
                foreach (var unit in units)
                {
                    _attempts[unit.Prompt.PromptId] = _attempts.GetValueOrDefault(unit.Prompt.PromptId) + 1;
                }
            }

            if (units.Any(u => u.Prompt.PromptId == "p1") && Attempts("p1") <= failuresOfP1)
            {
                throw new InvalidOperationException("p1 is broken");
            }

            return Task.FromResult<IReadOnlyList<Envelope>>(units.Select(u => StageEvents.Done(u.RunId, Stage.Sample, u.Prompt.PromptId)).ToArray());
        }

        public Envelope? GiveUp(Delivered message, Exception failure) => StageEvents.UnitFailed(message.Id, failure);
    }

    private sealed class Collecting : IStageHandler
    {
        private readonly List<StageEvent> _events = [];
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

        public Topic Topic => Topic.Events;

        public int MaxBatch => 16;

        public IReadOnlyList<StageEvent> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public IEnumerable<string> Ids => Events.Select(StageEvents.Id);

        public Task Arrived(int count)
        {
            lock (_events)
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, done));
                Check();
                return done.Task;
            }
        }

        public Task<IReadOnlyList<Envelope>> HandleAsync(IReadOnlyList<Delivered> messages, CancellationToken cancellationToken)
        {
            lock (_events)
            {
                _events.AddRange(messages.Select(m => (StageEvent)m.Message));
                Check();
            }

            return Task.FromResult<IReadOnlyList<Envelope>>([]);
        }

        public Envelope? GiveUp(Delivered message, Exception failure) => null;

        private void Check()
        {
            foreach (var (count, done) in _waiters.Where(w => _events.Count >= w.Count))
            {
                done.TrySetResult();
            }
        }
    }
}

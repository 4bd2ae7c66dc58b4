using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Storage;

namespace PrefSuite.Stages.Tests;

/// <summary>A temporary artifact store.</summary>
internal sealed class TempStore : IDisposable
{
    public TempStore() => Store = new FileArtifactStore(Path.Combine(Path.GetTempPath(), "prefsuite-stage-tests", Guid.NewGuid().ToString("N")));

    public FileArtifactStore Store { get; }

    public void Dispose() => Directory.Delete(Store.Root, recursive: true);
}

/// <summary>A bus that records what was published, in order.</summary>
internal sealed class RecordingBus : IStageBus
{
    public List<(string Queue, IMessage Message, string UnitId)> Published { get; } = [];

    public Task PublishAsync(string queue, IMessage message, string unitId, CancellationToken cancellationToken = default)
    {
        lock (Published)
        {
            Published.Add((queue, message, unitId));
        }

        return Task.CompletedTask;
    }

    public IEnumerable<T> On<T>(string queue)
        where T : IMessage => Published.Where(p => p.Queue == queue).Select(p => p.Message).OfType<T>();
}

internal static class Units
{
    public static PromptUnit Scored(string runId, string promptId, params double[] rewards)
    {
        var unit = new PromptUnit { RunId = runId, Prompt = new Prompt { PromptId = promptId, Text = "sort 2 1 =" } };
        unit.Responses.Add(rewards.Select((r, i) => new Response { Text = $"r{i}", SampleIndex = i, Reward = new RewardVector { Reward = r, ScorerId = "test" } }));
        return unit;
    }
}

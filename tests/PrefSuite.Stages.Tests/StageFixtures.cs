using PrefSuite.Contracts.V1;
using PrefSuite.Storage;

namespace PrefSuite.Stages.Tests;

/// <summary>A temporary artifact store.</summary>
internal sealed class TempStore : IDisposable
{
    public TempStore() => Store = new FileArtifactStore(Path.Combine(Path.GetTempPath(), "prefsuite-stage-tests", Guid.NewGuid().ToString("N")));

    public FileArtifactStore Store { get; }

    public void Dispose() => Directory.Delete(Store.Root, recursive: true);
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

using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PrefSuite.Contracts.V1;
using PrefSuite.Storage;

namespace PrefSuite.Workflow.Tests;

/// <summary>A temporary artifact store.</summary>
internal sealed class TempStore : IDisposable
{
    public TempStore() => Store = new FileArtifactStore(Path.Combine(Path.GetTempPath(), "prefsuite-workflow-tests", Guid.NewGuid().ToString("N")));

    public FileArtifactStore Store { get; }

    public void Dispose() => Directory.Delete(Store.Root, recursive: true);
}

/// <summary>A transport that records what was sent, in order (and can be told to fail, as a broker that is down).</summary>
internal sealed class RecordingTransport(bool durable = true) : IStageTransport
{
    public List<Envelope> Sent { get; } = [];

    public bool Durable => durable;

    public Exception? Failure { get; set; }

    public Task SendAsync(IReadOnlyList<Envelope> messages, CancellationToken cancellationToken = default)
    {
        if (Failure is { } failure)
        {
            throw failure;
        }

        lock (Sent)
        {
            Sent.AddRange(messages);
        }

        return Task.CompletedTask;
    }

    public T[] On<T>(Topic topic)
        where T : IMessage
    {
        lock (Sent)
        {
            return Sent.Where(p => p.Topic == topic).Select(p => p.Message).OfType<T>().ToArray();
        }
    }
}

/// <summary>Spec rules for tests: prompts as given, a run id required.</summary>
internal sealed class TestRules : IRunSpecRules
{
    public RunSpec Normalize(RunSpec spec)
    {
        if (spec.Sampling is null || spec.Sampling.N < 2)
        {
            throw new InvalidRequestException("sampling.n", "must be at least 2");
        }

        if (spec.Prompts.Count == 0)
        {
            throw new InvalidRequestException("prompts", "give prompts");
        }

        return spec;
    }

    public RunSpec Normalize(RunSpec settings, IEnumerable<Prompt> prompts)
    {
        var spec = settings.Clone();
        spec.Prompts.Add(prompts);
        Normalize(spec);
        return settings;
    }

    public IEnumerable<Prompt> Prompts(RunSpec spec) => spec.Prompts;
}

internal static class Runs
{
    public static RunSpec Spec(int prompts, bool train = true, string runId = "r", string? policy = "v1")
    {
        var spec = new RunSpec
        {
            RunId = runId,
            Sampling = new SamplingParams { N = 4 },
            Policy = policy is null ? null : new PolicyRef { Checkpoint = policy },
            Training = train ? new TrainOptions() : null,
        };
        spec.Prompts.Add(Enumerable.Range(0, prompts).Select(i => new Prompt { PromptId = $"p{i}", Text = $"sort {i} 1 =" }));
        return spec;
    }

    public static RunCoordinator Coordinator(IArtifactStore store, IStageTransport transport, TimeProvider? time = null, WorkflowOptions? options = null) =>
        new(store, transport, new TestRules(), Options.Create(options ?? new WorkflowOptions { DefaultPolicySftSteps = 50 }), time ?? new FakeTimeProvider(DateTimeOffset.UnixEpoch), NullLogger<RunCoordinator>.Instance);

    public static StageEvent Done(string promptId, Stage stage, string runId = "r") => new() { RunId = runId, Stage = stage.Name(), PromptId = promptId };

    public static StageEvent Failed(string promptId, Stage stage, string error, string runId = "r") => new() { RunId = runId, Stage = stage.Name(), PromptId = promptId, Failed = true, Error = error };

    /// <summary>The prompt ids a dataset step selects over, as the selection stage reads them.</summary>
    public static async Task<string[]> DatasetIds(IArtifactStore store, DatasetSelectRequest request) =>
        await RunDefinition.DatasetPromptIdsAsync(store, request).ToArrayAsync();

    /// <summary>Every per-prompt stage done for these prompts.</summary>
    public static StageEvent[] Finished(params string[] promptIds) =>
        promptIds.SelectMany(p => new[] { Stage.Sample, Stage.Score, Stage.Denoise, Stage.Select }.Select(s => Done(p, s))).ToArray();
}

using System.Collections.Concurrent;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Storage;

namespace PrefSuite.ServiceHosting;

/// <summary>Run specs as written by the pipeline service to the artifact store, read once per run.</summary>
public sealed class RunSpecs(IArtifactStore store)
{
    private readonly ConcurrentDictionary<string, RunSpec> _specs = new(StringComparer.Ordinal);

    public async Task<RunSpec> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (_specs.TryGetValue(runId, out var spec))
        {
            return spec;
        }

        var bytes = await store.ReadAsync(ArtifactPaths.RunSpec(runId), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidRequestException("run_id", $"run '{runId}' has no spec in the artifact store ({store.Root}); are the services sharing one artifact root?");
        return _specs[runId] = RunSpec.Parser.ParseFrom(bytes);
    }

    public bool IsCancelled(string runId) => RunCoordinator.IsCancelled(store, runId);
}

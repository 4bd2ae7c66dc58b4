using System.Collections.Concurrent;
using PrefSuite.Contracts.V1;
using PrefSuite.Storage;

namespace PrefSuite.Workflow;

/// <summary>
/// Run specs as the workflow stored them, for stages that need a run's settings; read once per run and kept (at most
/// <see cref="Capacity"/> runs: a long-lived service does not grow with the number of runs it has seen).
/// </summary>
public sealed class RunSpecs(IArtifactStore store)
{
    public const int Capacity = 64;

    private readonly ConcurrentDictionary<string, RunSpec> _specs = new(StringComparer.Ordinal);

    public async Task<RunSpec> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (_specs.TryGetValue(runId, out var spec))
        {
            return spec;
        }

        var bytes = await store.ReadAsync(ArtifactPaths.RunSpec(runId), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidRequestException("run_id", $"run '{runId}' has no spec in the artifact store; are the services sharing one artifact store?");
        spec = RunSpec.Parser.ParseFrom(bytes);
        spec.Prompts.Clear(); // stages need the settings, not the prompts (which travel with the units)
        if (_specs.Count >= Capacity)
        {
            _specs.Clear();
        }

        return _specs[runId] = spec;
    }

    public bool IsCancelled(string runId) => RunCoordinator.IsCancelled(store, runId);
}

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
    private readonly ConcurrentDictionary<string, (bool Cancelled, long AtMs)> _cancelled = new(StringComparer.Ordinal);

    public async Task<RunSpec> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (_specs.TryGetValue(runId, out var spec))
        {
            return spec;
        }

        // Stages need the settings, not the prompts (which travel with the units), so a large run's prompts are never read here.
        spec = await StoredRunSpec.ReadSettingsAsync(store, RunRound.Parse(runId).RunId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidRequestException("run_id", $"run '{runId}' has no spec in the artifact store; are the services sharing one artifact store?");
        if (_specs.Count >= Capacity)
        {
            _specs.Clear();
        }

        return _specs[runId] = spec;
    }

    /// <summary>Whether a run was cancelled. A cancellation is remembered; "not cancelled" is asked again after a second.</summary>
    public async Task<bool> IsCancelledAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (_cancelled.TryGetValue(runId, out var known) && (known.Cancelled || Environment.TickCount64 - known.AtMs < 1000))
        {
            return known.Cancelled;
        }

        var cancelled = await RunCoordinator.IsCancelledAsync(store, runId, cancellationToken).ConfigureAwait(false);
        if (_cancelled.Count >= Capacity)
        {
            _cancelled.Clear();
        }

        _cancelled[runId] = (cancelled, Environment.TickCount64);
        return cancelled;
    }

    /// <summary>The units of runs that were not cancelled.</summary>
    public async Task<IReadOnlyList<T>> ActiveAsync<T>(IEnumerable<T> units, Func<T, string> runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(runId);
        var active = new List<T>();
        foreach (var unit in units)
        {
            if (!await IsCancelledAsync(runId(unit), cancellationToken).ConfigureAwait(false))
            {
                active.Add(unit);
            }
        }

        return active;
    }
}

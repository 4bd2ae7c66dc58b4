using System.Collections.Concurrent;
using PrefSuite.Models.Policy;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Storage;

/// <summary>
/// The model store for policy checkpoints: versioned folders under models/policies/{version} in the artifact store,
/// plus named aliases ("default"). Loaded models are kept (one owner, shared read-only by sampling and scoring).
/// </summary>
public sealed class PolicyStore(IArtifactStore store) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<PolicyModel>> _loaded = new(StringComparer.Ordinal);

    public IArtifactStore Artifacts => store;

    /// <summary>Saves a policy as a new version and returns its version.</summary>
    public string Register(PolicyModel policy, string stage, string? parent = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var staging = store.FullPath($"{ArtifactPaths.PoliciesFolder}/.staging-{Guid.NewGuid():N}");
        var version = policy.Save(staging, stage, parent)[..12];
        var target = store.FullPath(ArtifactPaths.Policy(version));
        if (Directory.Exists(target))
        {
            Directory.Delete(staging, recursive: true); // same content already stored
        }
        else
        {
            Directory.Move(staging, target);
        }

        return version;
    }

    public async Task SetAliasAsync(string alias, string version, CancellationToken cancellationToken = default) =>
        await store.WriteAsync(ArtifactPaths.PolicyAlias(alias), System.Text.Encoding.UTF8.GetBytes(version), cancellationToken).ConfigureAwait(false);

    public async Task<string?> GetAliasAsync(string alias, CancellationToken cancellationToken = default) =>
        await store.ReadAsync(ArtifactPaths.PolicyAlias(alias), cancellationToken).ConfigureAwait(false) is { } bytes
            ? System.Text.Encoding.UTF8.GetString(bytes)
            : null;

    /// <summary>The checkpoint folder of a version, an alias, or an absolute folder path (built-in or Hugging Face).</summary>
    public async Task<string> ResolveFolderAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (Path.IsPathRooted(reference) && Directory.Exists(reference))
        {
            return reference;
        }

        var version = await GetAliasAsync(reference, cancellationToken).ConfigureAwait(false) ?? reference;
        var folder = store.FullPath(ArtifactPaths.Policy(version));
        return Directory.Exists(folder)
            ? folder
            : throw new KeyNotFoundException($"No policy checkpoint '{reference}' in the model store ({store.Root}).");
    }

    /// <summary>The loaded policy for a reference (loaded once per version and kept).</summary>
    public async Task<PolicyModel> GetAsync(string reference, CancellationToken cancellationToken = default)
    {
        var folder = await ResolveFolderAsync(reference, cancellationToken).ConfigureAwait(false);
        var lazy = _loaded.GetOrAdd(folder, f => new Lazy<PolicyModel>(() => PolicyModel.Load(f), LazyThreadSafetyMode.ExecutionAndPublication));
        return lazy.Value;
    }

    public void Dispose()
    {
        foreach (var lazy in _loaded.Values.Where(l => l.IsValueCreated))
        {
            lazy.Value.Dispose();
        }
    }
}

using System.Collections.Concurrent;
using PrefSuite.Models.Policy;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Storage;

/// <summary>
/// The model store for policy checkpoints: versioned folders under models/policies/{version} in the artifact store,
/// plus named aliases ("default"). Models read and write checkpoint folders on disk: with a local store they use its
/// folders in place; with any other store (Azure Blob) a checkpoint is downloaded once into <see cref="LocalFolder"/>'s
/// cache and a new one is uploaded when registered. Loaded models are kept (one owner, shared read-only).
/// </summary>
/// <param name="allowedFolders">
/// Checkpoint folders outside the store that a reference may name by absolute path (the folders a user named on the
/// command line; an operator's Models:AllowedFolders on a service). Any other path is refused exactly as a missing
/// version is, whether it exists or not, so a caller can neither load nor probe the host's files.
/// </param>
public sealed class PolicyStore(IArtifactStore store, string? cacheFolder = null, IEnumerable<string>? allowedFolders = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<PolicyModel>> _loaded = new(StringComparer.Ordinal);
    private readonly string _cache = Path.GetFullPath(cacheFolder ?? Path.Combine(Path.GetTempPath(), "prefsuite-models"));
    private readonly string[] _allowed = (allowedFolders ?? []).Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f))).ToArray();

    /// <summary>A store for the CLI: the folders the user named (policies, reward models) are allowed as they are.</summary>
    public static PolicyStore ForCommandLine(IArtifactStore store, params string?[] namedFolders) =>
        new(store, allowedFolders: namedFolders.Where(f => !string.IsNullOrWhiteSpace(f) && Path.IsPathRooted(f)).Select(f => f!));

    public IArtifactStore Artifacts => store;

    /// <summary>
    /// The folder on this machine where models read and write an artifact folder: the store's own for a local store,
    /// else a folder of this process's cache (checkpoints and log-prob caches there are scratch, not shared).
    /// </summary>
    public string LocalFolder(string path) => store is ILocalArtifactStore local
        ? local.LocalPath(path)
        : Path.Combine(_cache, ArtifactPath.Check(path).Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Saves a policy as a new version (uploaded when the store is not local) and returns its version.</summary>
    public async Task<string> RegisterAsync(PolicyModel policy, string stage, string? parent = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var staging = LocalFolder($"{ArtifactPaths.PoliciesFolder}/.staging-{Guid.NewGuid():N}");
        var version = policy.Save(staging, stage, parent)[..12];
        var target = LocalFolder(ArtifactPaths.Policy(version));
        if (Directory.Exists(target))
        {
            Directory.Delete(staging, recursive: true); // same content already stored
        }
        else
        {
            Directory.Move(staging, target);
        }

        if (store is not ILocalArtifactStore)
        {
            foreach (var file in Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories))
            {
                var path = $"{ArtifactPaths.Policy(version)}/{Path.GetRelativePath(target, file).Replace(Path.DirectorySeparatorChar, '/')}";
                var source = File.OpenRead(file);
                await using (source.ConfigureAwait(false))
                {
                    await store.WriteAsync(path, (stream, ct) => source.CopyToAsync(stream, ct), cancellationToken).ConfigureAwait(false);
                }
            }
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
        var notFound = new KeyNotFoundException($"No policy checkpoint '{reference}' in the model store.");
        if (Path.IsPathRooted(reference))
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(reference));
            var allowed = _allowed.Any(folder => full == folder || full.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal));
            return allowed && Directory.Exists(full) ? full : throw notFound;
        }

        var version = ArtifactPaths.Safe(reference) == reference ? await GetAliasAsync(reference, cancellationToken).ConfigureAwait(false) ?? reference : reference;
        if (ArtifactPaths.Safe(version) != version)
        {
            throw notFound;
        }

        var folder = LocalFolder(ArtifactPaths.Policy(version));
        if (Directory.Exists(folder))
        {
            return folder;
        }

        if (store is ILocalArtifactStore || !await store.ExistsAsync(ArtifactPaths.Policy(version), cancellationToken).ConfigureAwait(false))
        {
            throw notFound;
        }

        await DownloadAsync(ArtifactPaths.Policy(version), folder, cancellationToken).ConfigureAwait(false);
        return folder;
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

    /// <summary>Copies an artifact folder into a local folder, which appears complete or not at all.</summary>
    private async Task DownloadAsync(string path, string folder, CancellationToken cancellationToken)
    {
        var staging = $"{folder}.download-{Guid.NewGuid():N}";
        try
        {
            await foreach (var artifact in store.ListAsync(path, recursive: true, cancellationToken).ConfigureAwait(false))
            {
                var file = Path.Combine(staging, artifact[(path.Length + 1)..].Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                var source = await store.OpenReadAsync(artifact, cancellationToken).ConfigureAwait(false) ?? throw new FileNotFoundException($"{artifact} vanished while downloading.");
                await using (source.ConfigureAwait(false))
                {
                    var target = File.Create(file);
                    await using (target.ConfigureAwait(false))
                    {
                        await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
            if (!Directory.Exists(folder))
            {
                Directory.Move(staging, folder);
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }
}

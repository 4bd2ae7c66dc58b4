namespace PrefSuite.Storage;

/// <summary>
/// The durable home of runs, datasets, checkpoints and reports, addressed by relative paths such as
/// "runs/{run}/pairs.jsonl" (forward slashes, no "." or ".." segments). Writes are atomic: a reader sees the old content
/// or the new, never a partial artifact. The interface hands out no file paths, so a deployment may keep its artifacts
/// on a local disk (<see cref="FileArtifactStore"/>) or in Azure Blob Storage (<see cref="AzureBlobArtifactStore"/>)
/// without a shared volume.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Where the store keeps its artifacts, in words, for messages ("folder …", "blob container …").</summary>
    string Description { get; }

    Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Writes through a stream; the artifact appears only when <paramref name="write"/> completes.</summary>
    Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends to an artifact (created when missing) and returns once the bytes are durable. Appends are for
    /// append-only logs such as a run's ledger; a crash may leave the last append torn, which readers must detect.
    /// </summary>
    Task AppendAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>The whole content of a small artifact, or null when there is no such artifact.</summary>
    Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>A stream over an artifact of any size, or null when there is none.</summary>
    Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Whether an artifact, or a folder holding any, exists at the path.</summary>
    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Relative paths under a folder, sorted ordinally: the artifacts and folders directly under it, or with
    /// <paramref name="recursive"/> every artifact at any depth (no folders).
    /// </summary>
    IAsyncEnumerable<string> ListAsync(string folder, bool recursive = false, CancellationToken cancellationToken = default);

    /// <summary>Deletes an artifact, or a folder with everything under it; nothing when there is neither.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken = default);
}

/// <summary>
/// A store whose artifacts are files on this machine. Tools that can only read a folder (TorchSharp and Hugging Face
/// checkpoints) use it in place instead of copying; for any other store they work on a local copy.
/// </summary>
public interface ILocalArtifactStore : IArtifactStore
{
    /// <summary>The local file or folder of an artifact path.</summary>
    string LocalPath(string path);
}

namespace PrefSuite.Storage;

/// <summary>
/// The durable home of runs, datasets, checkpoints and reports, addressed by relative paths such as
/// "runs/{run}/pairs.jsonl". Writes are atomic: a reader sees the old content or the new, never a partial file.
/// </summary>
public interface IArtifactStore
{
    /// <summary>The store's root on disk (checkpoint folders live under it too).</summary>
    string Root { get; }

    Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Writes through a stream; the file appears only when <paramref name="write"/> completes.</summary>
    Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends to an artifact (created when missing) and returns once the bytes are durable. Appends are for
    /// append-only logs such as a run's ledger; a crash may leave the last append torn, which readers must detect.
    /// </summary>
    Task AppendAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>The content, or null when there is no such artifact.</summary>
    Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken = default);

    bool Exists(string path);

    /// <summary>Relative paths of the artifacts directly under a folder, sorted.</summary>
    IReadOnlyList<string> List(string folder);

    /// <summary>The absolute path of an artifact (for tools that need a file, such as TorchSharp).</summary>
    string FullPath(string path);
}

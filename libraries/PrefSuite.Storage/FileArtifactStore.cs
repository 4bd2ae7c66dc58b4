using System.Runtime.CompilerServices;
using PrefSuite.Data.Files;

namespace PrefSuite.Storage;

/// <summary>The filesystem artifact store: a configured root, atomic write-then-rename, durable appends, paths kept inside the root.</summary>
public sealed class FileArtifactStore : ILocalArtifactStore
{
    private readonly string _root;

    public FileArtifactStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    /// <summary>The folder on this machine (for the CLI, which writes reports next to its runs).</summary>
    public string Root => _root;

    public string Description => $"folder {_root}";

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(LocalPath(path), async (stream, ct) => await stream.WriteAsync(content, ct).ConfigureAwait(false), cancellationToken);

    public Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(LocalPath(path), write, cancellationToken);

    public async Task AppendAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var full = LocalPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var stream = new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 12, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
    }

    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = LocalPath(path);
        try
        {
            return await File.ReadAllBytesAsync(full, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException && !File.Exists(full))
        {
            return null;
        }
    }

    public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = LocalPath(path);
        try
        {
            return Task.FromResult<Stream?>(new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous));
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException && !File.Exists(full))
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = LocalPath(path);
        return Task.FromResult(File.Exists(full) || Directory.Exists(full));
    }

    public async IAsyncEnumerable<string> ListAsync(string folder, bool recursive = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var full = LocalPath(folder);
        if (!Directory.Exists(full))
        {
            yield break;
        }

        var prefix = ArtifactPath.Check(folder);
        var entries = recursive
            ? Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(full, p).Replace(Path.DirectorySeparatorChar, '/'))
            : Directory.EnumerateFileSystemEntries(full).Select(p => Path.GetFileName(p));
        foreach (var name in entries.Where(n => !n.Split('/').Any(s => s.StartsWith('.'))).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return $"{prefix}/{name}";
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = LocalPath(path);
        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }
        else
        {
            File.Delete(full);
        }

        return Task.CompletedTask;
    }

    public string LocalPath(string path)
    {
        var full = Path.GetFullPath(Path.Combine(_root, ArtifactPath.Check(path)));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException($"The artifact path '{path}' leaves the store.", nameof(path));
    }
}

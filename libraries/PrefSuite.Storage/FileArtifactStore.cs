using PrefSuite.Data.Files;

namespace PrefSuite.Storage;

/// <summary>The filesystem artifact store: a configured root, atomic write-then-rename, paths kept inside the root.</summary>
public sealed class FileArtifactStore : IArtifactStore
{
    public FileArtifactStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(FullPath(path), async (stream, ct) => await stream.WriteAsync(content, ct).ConfigureAwait(false), cancellationToken);

    public Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(FullPath(path), write, cancellationToken);

    public async Task AppendAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
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
        var full = FullPath(path);
        return File.Exists(full) ? await File.ReadAllBytesAsync(full, cancellationToken).ConfigureAwait(false) : null;
    }

    public bool Exists(string path) => File.Exists(FullPath(path)) || Directory.Exists(FullPath(path));

    public IReadOnlyList<string> List(string folder)
    {
        var full = FullPath(folder);
        if (!Directory.Exists(full))
        {
            return [];
        }

        return Directory.EnumerateFileSystemEntries(full)
            .Select(p => Path.GetFileName(p))
            .Where(name => !name.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .Select(name => $"{folder.TrimEnd('/')}/{name}")
            .ToArray();
    }

    public string FullPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(Path.Combine(Root, path));
        return full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || full == Root
            ? full
            : throw new ArgumentException($"The artifact path '{path}' leaves the store.", nameof(path));
    }
}

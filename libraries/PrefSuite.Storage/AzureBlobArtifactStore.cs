using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace PrefSuite.Storage;

/// <summary>
/// Artifacts as blobs of one Azure Blob Storage container (Azurite locally and in tests), so services in the cloud
/// share runs without a shared volume. A write uploads a whole block blob, which replaces the old content at once
/// (streamed writes are staged in a local temporary file first, so a failed writer changes nothing); appends go to
/// append blobs, one block per append (at most 4 MiB each). Folders are name prefixes ending in '/'.
/// </summary>
public sealed class AzureBlobArtifactStore(BlobContainerClient container) : IArtifactStore
{
    private const int MaxAppendBlock = 4 * 1024 * 1024;

    public string Description => $"blob container {container.Name} at {container.Uri.GetLeftPart(UriPartial.Authority)}";

    /// <summary>The store over a container, created when missing.</summary>
    public static async Task<AzureBlobArtifactStore> CreateAsync(string connectionString, string containerName, CancellationToken cancellationToken = default)
    {
        var client = new BlobContainerClient(connectionString, containerName);
        await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return new AzureBlobArtifactStore(client);
    }

    public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        await Blob(path).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken).ConfigureAwait(false);

    public async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var blob = Blob(path);
        var staging = Path.Combine(Path.GetTempPath(), $"prefsuite-blob-{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(staging, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Position = 0;
                await blob.UploadAsync(stream, overwrite: true, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(staging);
        }
    }

    public async Task AppendAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var blob = container.GetAppendBlobClient(ArtifactPath.Check(path));
        await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var offset = 0; offset < content.Length; offset += MaxAppendBlock)
        {
            var block = content.Slice(offset, Math.Min(MaxAppendBlock, content.Length - offset));
            using var stream = new MemoryStream(block.ToArray(), writable: false);
            await blob.AppendBlockAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await Blob(path).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return null;
        }
    }

    public async Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Blob(path).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        if (await Blob(path).ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        await foreach (var _ in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: ArtifactPath.Check(path) + "/", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }

    public async IAsyncEnumerable<string> ListAsync(string folder, bool recursive = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prefix = ArtifactPath.Check(folder) + "/";
        var names = new List<string>();
        if (recursive)
        {
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                names.Add(blob.Name);
            }
        }
        else
        {
            await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, delimiter: "/", prefix: prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                names.Add(item.IsPrefix ? item.Prefix.TrimEnd('/') : item.Blob.Name);
            }
        }

        foreach (var name in names.Where(n => !n[prefix.Length..].Split('/').Any(s => s.StartsWith('.'))).Order(StringComparer.Ordinal))
        {
            yield return name;
        }
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        await Blob(path).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: ArtifactPath.Check(path) + "/", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await container.DeleteBlobIfExistsAsync(blob.Name, DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private BlobClient Blob(string path) => container.GetBlobClient(ArtifactPath.Check(path));
}

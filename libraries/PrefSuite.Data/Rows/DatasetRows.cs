using System.Runtime.CompilerServices;

namespace PrefSuite.Data.Rows;

/// <summary>
/// The rows of a dataset file — JSONL or Parquet, told apart by content — as JSON objects in UTF-8, streamed in
/// chunks: memory holds a few chunks (a few MB; for Parquet, one row group's columns), never the file.
/// </summary>
internal abstract class DatasetRows : IAsyncDisposable
{
    /// <summary>How many chunks may be parsed ahead of the consumer.</summary>
    private const int ChunksInFlight = 4;

    protected DatasetRows(string name) => Name = name;

    /// <summary>The file name used in messages.</summary>
    public string Name { get; }

    /// <summary>The top-level columns when the file declares them (Parquet); null for JSONL, whose rows say it themselves.</summary>
    public virtual IReadOnlyList<string>? Columns => null;

    public abstract bool IsParquet { get; }

    /// <summary>The file's size in bytes when known (for estimating its rows), else null.</summary>
    public virtual long? Length => null;

    /// <summary>Opens a file; Parquet is recognised by its "PAR1" magic, anything else is read as JSONL.</summary>
    public static async Task<DatasetRows> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, 0, null, "the file does not exist");
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        try
        {
            return await OpenAsync(stream, path, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads rows from a stream (owned from now on); Parquet needs a seekable one.</summary>
    public static async Task<DatasetRows> OpenAsync(Stream stream, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek && await IsParquetAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            return await ParquetRows.OpenAsync(stream, name, cancellationToken).ConfigureAwait(false);
        }

        return new JsonlRows(stream, name);
    }

    public static async Task<bool> IsParquetAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.Length < 12)
        {
            return false;
        }

        var head = new byte[4];
        var position = stream.Position;
        await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        stream.Position = position;
        return head.AsSpan().SequenceEqual("PAR1"u8);
    }

    /// <summary>
    /// The chunks in file order. <paramref name="include"/> picks the top-level columns worth reading (Parquet reads
    /// only those; JSONL rows are passed whole).
    /// </summary>
    public abstract IAsyncEnumerable<RowChunk> ReadChunksAsync(Func<string, bool>? include = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Maps every chunk on the thread pool, a few ahead of the consumer, and yields the results in file order; the
    /// first error in file order is the one thrown. <paramref name="map"/> owns the chunk: it disposes it, or hands it
    /// on inside its result (which is then disposable). Results nobody consumed are disposed.
    /// </summary>
    public async IAsyncEnumerable<T> MapInOrderAsync<T>(Func<RowChunk, T> map, Func<string, bool>? include = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);

        // A ring of reusable work items: the oldest is awaited and yielded while the others parse, and each one freed
        // takes the next chunk. A reader's error waits its turn behind the chunks read before it, as an error would.
        var ring = new PooledWork<RowChunk, T>[ChunksInFlight];
        for (var i = 0; i < ring.Length; i++)
        {
            ring[i] = new PooledWork<RowChunk, T>(chunk => MapOwning(chunk, map));
        }

        var oldest = 0;
        var inFlight = 0;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? readError = null;
        var chunks = ReadChunksAsync(include, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            var more = true;
            while (true)
            {
                while (more && inFlight < ring.Length)
                {
                    try
                    {
                        more = await chunks.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (Exception error)
                    {
                        readError = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error);
                        more = false;
                        break;
                    }

                    if (more)
                    {
                        ring[(oldest + inFlight) % ring.Length].Start(chunks.Current);
                        inFlight++;
                    }
                }

                if (inFlight == 0)
                {
                    readError?.Throw();
                    yield break;
                }

                var next = ring[oldest];
                oldest = (oldest + 1) % ring.Length;
                inFlight--;
                yield return await next.Result.ConfigureAwait(false);
            }
        }
        finally
        {
            // Chunks parsed ahead of an earlier failure or a stopped consumer: nobody asked for them.
            for (; inFlight > 0; inFlight--, oldest = (oldest + 1) % ring.Length)
            {
                try
                {
                    (await ring[oldest].Result.ConfigureAwait(false) as IDisposable)?.Dispose();
                }
                catch (Exception)
                {
                    // Its error is not the one to report.
                }
            }

            await chunks.DisposeAsync().ConfigureAwait(false);
        }
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>The first row and where it is, or null for an empty file; the next enumeration still starts at the beginning.</summary>
    public virtual async Task<(byte[] Row, RowLocation Location)?> FirstRowAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var chunk in ReadChunksAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            using (chunk)
            {
                return (chunk.Row(0).ToArray(), chunk.Location(0));
            }
        }

        return null;
    }

    private static T MapOwning<T>(RowChunk chunk, Func<RowChunk, T> map)
    {
        try
        {
            return map(chunk);
        }
        catch
        {
            chunk.Dispose();
            throw;
        }
    }
}

using System.Buffers;
using System.Runtime.CompilerServices;

namespace PrefSuite.Data.Rows;

/// <summary>
/// JSONL rows: the stream is read in blocks of about 1 MB, each cut after its last newline; blank lines are skipped
/// (but counted, so line numbers match an editor's), a UTF-8 byte order mark and CRLF endings are accepted.
/// </summary>
internal sealed class JsonlRows(Stream stream, string name) : DatasetRows(name)
{
    /// <summary>The largest line accepted: guards against a binary or a single-line giant file.</summary>
    public const int MaxLineLength = 64 * 1024 * 1024;

    private const int BlockSize = 1 << 20;

    /// <summary>Bytes read ahead to look at the first row of a stream that cannot seek back; the next enumeration starts with them.</summary>
    private byte[] _head = [];

    public override bool IsParquet => false;

    public override long? Length => stream.CanSeek ? stream.Length : null;

    public override async IAsyncEnumerable<RowChunk> ReadChunksAsync(Func<string, bool>? include = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (stream.CanSeek)
        {
            stream.Position = 0; // every enumeration reads the file from its start (the first row may have been read to detect the format)
        }

        var buffer = RowBuffers.Pool.Rent(BlockSize);
        var filled = 0;
        long line = 0; // lines completed before the buffer's first byte
        var first = true;
        var sequence = 0L;
        var end = false;
        try
        {
            while (!end)
            {
                // Fill the block; a line longer than the block grows it.
                if (first && _head.Length > 0)
                {
                    if (_head.Length > buffer.Length)
                    {
                        RowBuffers.Pool.Return(buffer);
                        buffer = RowBuffers.Pool.Rent(_head.Length * 2);
                    }

                    _head.CopyTo(buffer, 0);
                    filled = _head.Length;
                    _head = [];
                }

                while (filled < buffer.Length)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        end = true;
                        break;
                    }

                    filled += read;
                }

                if (first)
                {
                    first = false;
                    if (buffer.AsSpan(0, filled).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                    {
                        buffer.AsSpan(3, filled - 3).CopyTo(buffer);
                        filled -= 3;
                    }
                }

                if (end && filled == 0)
                {
                    break;
                }

                var cut = end ? filled : buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
                if (cut <= 0)
                {
                    if (filled > MaxLineLength)
                    {
                        throw new DataFormatException(Name, RowLocation.OfLine(line + 1), null, $"the line is longer than {MaxLineLength} bytes");
                    }

                    var larger = RowBuffers.Pool.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    RowBuffers.Pool.Return(buffer);
                    buffer = larger;
                    continue;
                }

                var next = RowBuffers.Pool.Rent(Math.Max(BlockSize, (filled - cut) * 2));
                buffer.AsSpan(cut, filled - cut).CopyTo(next);
                var chunk = Split(buffer, cut, ref line); // takes the buffer
                filled -= cut;
                buffer = next;
                if (chunk is not null)
                {
                    chunk.Sequence = sequence++;
                    yield return chunk;
                }
            }
        }
        finally
        {
            RowBuffers.Pool.Return(buffer);
        }
    }

    public override ValueTask DisposeAsync() => stream.DisposeAsync();

    /// <summary>The first non-blank line (for telling the format), without losing it for the next enumeration.</summary>
    public override async Task<(byte[] Row, RowLocation Location)?> FirstRowAsync(CancellationToken cancellationToken = default)
    {
        if (stream.CanSeek)
        {
            return await base.FirstRowAsync(cancellationToken).ConfigureAwait(false);
        }

        var head = new List<byte>();
        var block = new byte[1 << 16];
        while (true)
        {
            var text = head.ToArray();
            var line = 0L;
            var position = 0;
            while (position < text.Length)
            {
                var newline = text.AsSpan(position).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }

                line++;
                var row = text.AsSpan(position, newline).TrimEnd((byte)'\r');
                if (!IsBlank(row))
                {
                    _head = text;
                    return (row.ToArray(), RowLocation.OfLine(line));
                }

                position += newline + 1;
            }

            var read = await stream.ReadAsync(block, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _head = text;
                var rest = text.AsSpan(position).TrimEnd((byte)'\r');
                return IsBlank(rest) ? null : (rest.ToArray(), RowLocation.OfLine(line + 1));
            }

            head.AddRange(block.AsSpan(0, read));
            if (head.Count > MaxLineLength)
            {
                throw new DataFormatException(Name, RowLocation.OfLine(line + 1), null, $"the line is longer than {MaxLineLength} bytes");
            }
        }
    }

    /// <summary>The rows of buffer[..end) (whole lines); the chunk takes the buffer, or null when every line was blank.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private RowChunk? Split(byte[] buffer, int end, ref long line)
    {
        var span = buffer.AsSpan(0, end);
        var capacity = Math.Max(16, span.Count((byte)'\n') + 1);
        var starts = ArrayPool<int>.Shared.Rent(capacity);
        var lengths = ArrayPool<int>.Shared.Rent(capacity);
        var lines = ArrayPool<long>.Shared.Rent(capacity);
        var count = 0;
        var position = 0;
        while (position < end)
        {
            var newline = span[position..].IndexOf((byte)'\n');
            var stop = newline < 0 ? end : position + newline;
            line++;
            var length = stop - position;
            if (length > 0 && span[stop - 1] == (byte)'\r')
            {
                length--;
            }

            if (length > MaxLineLength)
            {
                throw new DataFormatException(Name, RowLocation.OfLine(line), null, $"the line is longer than {MaxLineLength} bytes");
            }

            if (!IsBlank(span.Slice(position, length)))
            {
                starts[count] = position;
                lengths[count] = length;
                lines[count] = line;
                count++;
            }

            position = stop + 1;
        }

        if (count == 0)
        {
            ArrayPool<int>.Shared.Return(starts);
            ArrayPool<int>.Shared.Return(lengths);
            ArrayPool<long>.Shared.Return(lines);
            RowBuffers.Pool.Return(buffer);
            return null;
        }

        return RowChunk.OfLines(buffer, starts, lengths, lines, count);
    }

    private static bool IsBlank(ReadOnlySpan<byte> row) => row.IndexOfAnyExcept(" \t\r"u8) < 0;
}

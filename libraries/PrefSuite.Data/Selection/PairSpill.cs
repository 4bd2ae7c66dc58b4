using System.Buffers.Binary;
using PrefSuite.Data.Files;
using PrefSuite.Data.Rows;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Data.Selection;

/// <summary>
/// The texts of every candidate pair, written once to a temporary file while the dataset streams by, so that memory
/// holds a few numbers per pair and dataset-level selection (caps, top K, routing order) can run before any row is
/// written. Each record: a fixed header of numbers, then the raw JSON of id, prompt, chosen and rejected.
/// </summary>
internal sealed class PairSpill : IDisposable
{
    public const int HeaderSize = 88;
    private const int SuffixKindAt = 39;
    private const int SuffixAt = 56;
    private const int FlushAt = 1 << 20;

    private readonly FileStream _file;
    private readonly PooledBufferWriter _buffer = new(FlushAt + (FlushAt / 2));
    private long _flushed;

    public PairSpill(string? folder)
    {
        _file = ScratchFile.Create(folder, "pairs");
    }

    /// <summary>Where the next record starts.</summary>
    public long Position => _flushed + _buffer.WrittenCount;

    public void Append(in SpillHeader header, ReadOnlySpan<byte> id, ReadOnlySpan<byte> prompt, ReadOnlySpan<byte> chosen, ReadOnlySpan<byte> rejected)
    {
        var length = HeaderSize + id.Length + prompt.Length + chosen.Length + rejected.Length;
        var span = _buffer.GetSpan(length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], header.ChosenIndex);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], header.RejectedIndex);
        BinaryPrimitives.WriteDoubleLittleEndian(span[12..], header.ScoreChosen);
        BinaryPrimitives.WriteDoubleLittleEndian(span[20..], header.ScoreRejected);
        BinaryPrimitives.WriteDoubleLittleEndian(span[28..], header.ImplicitMargin);
        span[36] = (byte)header.Flags;
        span[37] = (byte)header.ChosenKind;
        span[38] = (byte)header.RejectedKind;
        span[SuffixKindAt] = header.SuffixKind;
        BinaryPrimitives.WriteDoubleLittleEndian(span[40..], header.ChosenK);
        BinaryPrimitives.WriteDoubleLittleEndian(span[48..], header.RejectedK);
        BinaryPrimitives.WriteInt64LittleEndian(span[SuffixAt..], header.Suffix);
        BinaryPrimitives.WriteInt32LittleEndian(span[64..], id.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[68..], prompt.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[72..], chosen.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[76..], rejected.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span[80..], 0);
        var at = HeaderSize;
        id.CopyTo(span[at..]);
        at += id.Length;
        prompt.CopyTo(span[at..]);
        at += prompt.Length;
        chosen.CopyTo(span[at..]);
        at += chosen.Length;
        rejected.CopyTo(span[at..]);
        _buffer.Advance(length);
        if (_buffer.WrittenCount >= FlushAt)
        {
            Flush();
        }
    }

    public void Flush()
    {
        _file.Write(_buffer.WrittenSpan);
        _flushed += _buffer.WrittenCount;
        _buffer.Clear();
    }

    /// <summary>Gives the record at <paramref name="position"/> a renamed id: its id plus '-', <paramref name="kind"/> and <paramref name="suffix"/>.</summary>
    public void Rename(long position, byte kind, long suffix)
    {
        Flush();
        Span<byte> bytes = stackalloc byte[8];
        bytes[0] = kind;
        RandomAccess.Write(_file.SafeFileHandle, bytes[..1], position + SuffixKindAt);
        BinaryPrimitives.WriteInt64LittleEndian(bytes, suffix);
        RandomAccess.Write(_file.SafeFileHandle, bytes, position + SuffixAt);
    }

    /// <summary>Reads records front to back.</summary>
    public SpillReader Sequential()
    {
        Flush();
        _file.Flush();
        return new SpillReader(_file, Position);
    }

    public void Dispose()
    {
        _file.Dispose();
        _buffer.Dispose();
    }
}

/// <summary>The numbers of a spilled pair.</summary>
internal readonly record struct SpillHeader(
    int ChosenIndex,
    int RejectedIndex,
    double ScoreChosen,
    double ScoreRejected,
    double ImplicitMargin,
    SpillFlags Flags,
    PositionCode ChosenKind,
    double ChosenK,
    PositionCode RejectedKind,
    double RejectedK,
    byte SuffixKind,
    long Suffix)
{
    /// <summary>The pair's external margin, r(y_w) − r(y_l), as the selector computed it from the same two rewards.</summary>
    public double ExternalMargin => ScoreChosen - ScoreRejected;

    public static (PositionCode Kind, double K) Encode(RewardPosition? position) => position switch
    {
        null => (PositionCode.None, 0),
        { Kind: PositionKind.Min } => (PositionCode.Min, 0),
        { Kind: PositionKind.Max } => (PositionCode.Max, 0),
        { } p => (PositionCode.Sigma, p.K),
    };

    public static RewardPosition? Decode(PositionCode kind, double k) => kind switch
    {
        PositionCode.Min => RewardPosition.Min,
        PositionCode.Max => RewardPosition.Max,
        PositionCode.Sigma => RewardPosition.Sigma(k),
        _ => null,
    };
}

[Flags]
internal enum SpillFlags : byte
{
    None = 0,
    PromptIsMessages = 1,
    PromptNeedsClose = 2,
    Fallback = 4,
}

internal enum PositionCode : byte
{
    None,
    Min,
    Max,
    Sigma,
}

/// <summary>One spilled pair, viewed in a buffer.</summary>
internal readonly ref struct SpillRecord
{
    private readonly ReadOnlySpan<byte> _bytes;

    public SpillRecord(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        var idLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[64..]);
        var promptLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[68..]);
        var chosenLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[72..]);
        var rejectedLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[76..]);
        var at = PairSpill.HeaderSize;
        Id = bytes.Slice(at, idLength);
        at += idLength;
        Prompt = bytes.Slice(at, promptLength);
        at += promptLength;
        Chosen = bytes.Slice(at, chosenLength);
        at += chosenLength;
        Rejected = bytes.Slice(at, rejectedLength);
    }

    public SpillHeader Header => new(
        BinaryPrimitives.ReadInt32LittleEndian(_bytes[4..]),
        BinaryPrimitives.ReadInt32LittleEndian(_bytes[8..]),
        BinaryPrimitives.ReadDoubleLittleEndian(_bytes[12..]),
        BinaryPrimitives.ReadDoubleLittleEndian(_bytes[20..]),
        BinaryPrimitives.ReadDoubleLittleEndian(_bytes[28..]),
        (SpillFlags)_bytes[36],
        (PositionCode)_bytes[37],
        BinaryPrimitives.ReadDoubleLittleEndian(_bytes[40..]),
        (PositionCode)_bytes[38],
        BinaryPrimitives.ReadDoubleLittleEndian(_bytes[48..]),
        _bytes[39],
        BinaryPrimitives.ReadInt64LittleEndian(_bytes[56..]));

    public ReadOnlySpan<byte> Id { get; }

    public ReadOnlySpan<byte> Prompt { get; }

    public ReadOnlySpan<byte> Chosen { get; }

    public ReadOnlySpan<byte> Rejected { get; }
}

/// <summary>Reads spilled records front to back, or one at a given offset.</summary>
internal sealed class SpillReader(FileStream file, long length) : IDisposable
{
    private byte[] _buffer = new byte[1 << 20];
    private int _start;
    private int _end;
    private long _position;

    /// <summary>The next record in file order, or false at the end.</summary>
    public bool TryReadNext(out ReadOnlyMemory<byte> record)
    {
        record = default;
        if (_position >= length && _start == _end)
        {
            return false;
        }

        if (!Ensure(4))
        {
            return false;
        }

        var size = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
        if (!Ensure(size))
        {
            throw new InvalidDataException("The pair spill file ended inside a record.");
        }

        record = _buffer.AsMemory(_start, size);
        _start += size;
        return true;
    }

    /// <summary>The record at <paramref name="offset"/> (random access, for the curriculum order).</summary>
    public ReadOnlyMemory<byte> ReadAt(long offset)
    {
        // A first read of a few KB holds most records; a longer one is read again whole (never a whole buffer per record).
        var read = RandomAccess.Read(file.SafeFileHandle, _buffer.AsSpan(0, (int)Math.Min(1 << 12, length - offset)), offset);
        var size = BinaryPrimitives.ReadInt32LittleEndian(_buffer);
        if (size > read)
        {
            if (size > _buffer.Length)
            {
                _buffer = new byte[size];
            }

            RandomAccess.Read(file.SafeFileHandle, _buffer.AsSpan(0, size), offset);
        }

        return _buffer.AsMemory(0, size);
    }

    public void Dispose()
    {
    }

    private bool Ensure(int size)
    {
        if (_end - _start >= size)
        {
            return true;
        }

        if (size > _buffer.Length)
        {
            var larger = new byte[Math.Max(size, _buffer.Length * 2)];
            _buffer.AsSpan(_start, _end - _start).CopyTo(larger);
            _end -= _start;
            _start = 0;
            _buffer = larger;
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        while (_end - _start < size && _position < length)
        {
            var read = RandomAccess.Read(file.SafeFileHandle, _buffer.AsSpan(_end), _position);
            if (read == 0)
            {
                break;
            }

            _end += read;
            _position += read;
        }

        return _end - _start >= size;
    }
}

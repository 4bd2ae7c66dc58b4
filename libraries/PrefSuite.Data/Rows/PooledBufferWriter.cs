using System.Buffers;

namespace PrefSuite.Data.Rows;

/// <summary>A growable byte buffer rented from <see cref="RowBuffers"/>; <see cref="Detach"/> hands the array to a new owner.</summary>
internal sealed class PooledBufferWriter(int initialCapacity = 1 << 16) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = RowBuffers.Pool.Rent(initialCapacity);

    public int WrittenCount { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, WrittenCount);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, WrittenCount);

    public void Advance(int count) => WrittenCount += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(WrittenCount);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(WrittenCount);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        WrittenCount += bytes.Length;
    }

    public void Clear() => WrittenCount = 0;

    /// <summary>The written bytes' array (the caller returns it to the pool); this writer starts over with a new one.</summary>
    public byte[] Detach(int nextCapacity)
    {
        var full = _buffer;
        _buffer = RowBuffers.Pool.Rent(nextCapacity);
        WrittenCount = 0;
        return full;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            RowBuffers.Pool.Return(_buffer);
            _buffer = [];
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = WrittenCount + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var larger = RowBuffers.Pool.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, WrittenCount).CopyTo(larger);
        RowBuffers.Pool.Return(_buffer);
        _buffer = larger;
    }
}

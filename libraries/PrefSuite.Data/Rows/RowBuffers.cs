using System.Buffers;

namespace PrefSuite.Data.Rows;

/// <summary>
/// The pool of the data path's large byte buffers (row blocks, chunks, spill and format buffers). Unlike the shared
/// pool it keeps no per-thread copies: a buffer returned on one worker is the next one rented on any other, so the
/// number of buffers a run holds is the number in flight, however many threads the pool has used over a long run.
/// </summary>
internal static class RowBuffers
{
    public static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(1 << 28, 32);
}

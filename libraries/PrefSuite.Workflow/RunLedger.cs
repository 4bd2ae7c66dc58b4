using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using PrefSuite.Storage;
using PrefSuite.Workflow.Ledger;

namespace PrefSuite.Workflow;

/// <summary>
/// A run's append-only ledger in the artifact store: numbered segments of framed records, each record
/// [length][~length][protobuf]. Appends cost what they write, so a run's I/O grows linearly with its events. A crash
/// may tear the last record of a segment; reading stops there, and a reopened ledger appends to a fresh segment, so a
/// torn record never sits in front of good ones.
/// </summary>
public sealed class RunLedger
{
    /// <summary>Records per segment before the next one starts (an Azure append blob holds at most 50,000 appends).</summary>
    public const int RecordsPerSegment = 20_000;

    private readonly IArtifactStore _store;
    private readonly string _runId;
    private int _segment;
    private int _records;
    private long _bytes;

    private RunLedger(IArtifactStore store, string runId, int segment)
    {
        _store = store;
        _runId = runId;
        _segment = segment;
    }

    /// <summary>Bytes appended by this process.</summary>
    public long BytesWritten => _bytes;

    /// <summary>A new run's ledger.</summary>
    public static RunLedger Create(IArtifactStore store, string runId) => new(store, runId, 1);

    /// <summary>Reads every intact record in order, and returns the ledger ready to append after them.</summary>
    public static async Task<(RunLedger Ledger, IReadOnlyList<LedgerRecord> Records)> OpenAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var records = new List<LedgerRecord>();
        var listed = new List<string>();
        await foreach (var path in store.ListAsync(ArtifactPaths.LedgerFolder(runId), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            listed.Add(path);
        }

        var segments = listed
            .Select(path => (Path: path, Number: int.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1))
            .Where(s => s.Number > 0)
            .OrderBy(s => s.Number)
            .ToArray();
        foreach (var (path, _) in segments)
        {
            var bytes = await store.ReadAsync(path, cancellationToken).ConfigureAwait(false) ?? [];
            records.AddRange(Read(bytes));
        }

        return (new RunLedger(store, runId, segments.Length == 0 ? 1 : segments[^1].Number + 1), records);
    }

    /// <summary>Appends records as one durable write.</summary>
    public async Task AppendAsync(IReadOnlyList<LedgerRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var frames = Frame(records);
        try
        {
            await _store.AppendAsync(ArtifactPaths.LedgerSegment(_runId, _segment), frames, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The append may have left part of a record (a full disk): later records go to a new segment, so the torn
            // one ends its segment and never hides good records behind it.
            _segment++;
            _records = 0;
            throw;
        }

        _bytes += frames.Length;
        _records += records.Count;
        if (_records >= RecordsPerSegment)
        {
            _segment++;
            _records = 0;
        }
    }

    public Task AppendAsync(LedgerRecord record, CancellationToken cancellationToken = default) => AppendAsync([record], cancellationToken);

    internal static byte[] Frame(IReadOnlyList<LedgerRecord> records)
    {
        var size = records.Sum(r => 8 + r.CalculateSize());
        var buffer = new byte[size];
        var offset = 0;
        foreach (var record in records)
        {
            var length = record.CalculateSize();
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset), length);
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset + 4), ~length);
            record.WriteTo(buffer.AsSpan(offset + 8, length));
            offset += 8 + length;
        }

        return buffer;
    }

    /// <summary>The intact records of a segment, stopping at the first torn or unreadable one.</summary>
    internal static IEnumerable<LedgerRecord> Read(byte[] segment)
    {
        var offset = 0;
        while (offset + 8 <= segment.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(segment.AsSpan(offset));
            var check = BinaryPrimitives.ReadInt32LittleEndian(segment.AsSpan(offset + 4));
            if (length <= 0 || check != ~length || offset + 8 + length > segment.Length)
            {
                yield break;
            }

            LedgerRecord record;
            try
            {
                record = LedgerRecord.Parser.ParseFrom(segment, offset + 8, length);
            }
            catch (InvalidProtocolBufferException)
            {
                yield break;
            }

            yield return record;
            offset += 8 + length;
        }
    }
}

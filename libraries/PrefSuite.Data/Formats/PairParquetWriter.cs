using PrefSuite.Data.Files;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>
/// Pair rows as Parquet with every column of <see cref="PairColumns"/> (Hugging Face datasets and TRL read it as they
/// read the JSONL): prompt, chosen and rejected are strings, or message lists for conversational rows. One file holds
/// one kind; a row of the other kind is an error naming it.
/// </summary>
public sealed class PairParquetWriter : IAsyncDisposable
{
    private ParquetTable _table = null!;
    private readonly StringColumn _id = new("prompt_id");
    private readonly ParquetColumn _prompt;
    private readonly ParquetColumn _chosen;
    private readonly ParquetColumn _rejected;
    private readonly FloatColumn _scoreChosen = new("score_chosen");
    private readonly FloatColumn _scoreRejected = new("score_rejected");
    private readonly FloatColumn _margin = new("score_margin");
    private readonly StringColumn _route = new("route");
    private readonly StringColumn _strategy = new("strategy");
    private readonly StringColumn _chosenPosition = new("chosen_position");
    private readonly StringColumn _rejectedPosition = new("rejected_position");
    private readonly NumberColumn<int> _chosenIndex = new("chosen_index");
    private readonly NumberColumn<int> _rejectedIndex = new("rejected_index");
    private readonly StringColumn _fallback = new("fallback");
    private readonly FloatColumn _implicitMargin = new("implicit_margin");
    private readonly FloatColumn _pExternal = new("p_external");
    private readonly FloatColumn _pImplicit = new("p_implicit");
    private readonly FloatColumn _probability = new("probability");
    private readonly FloatColumn _goal = new("goal");
    private readonly NumberColumn<bool> _swapped = new("swapped");

    private PairParquetWriter(bool conversational)
    {
        Conversational = conversational;
        _prompt = conversational ? new MessagesColumn("prompt") : new StringColumn("prompt");
        _chosen = conversational ? new MessagesColumn("chosen") : new StringColumn("chosen");
        _rejected = conversational ? new MessagesColumn("rejected") : new StringColumn("rejected");
    }

    private ParquetColumn[] Columns =>
    [
        _id, _prompt, _chosen, _rejected, _scoreChosen, _scoreRejected, _margin, _route, _strategy, _chosenPosition, _rejectedPosition,
        _chosenIndex, _rejectedIndex, _fallback, _implicitMargin, _pExternal, _pImplicit, _probability, _goal, _swapped,
    ];

    public bool Conversational { get; }

    public long RowCount => _table.RowCount;

    public static async Task<PairParquetWriter> CreateAsync(Stream stream, bool conversational, CancellationToken cancellationToken = default)
    {
        var writer = new PairParquetWriter(conversational);
        writer._table = await ParquetTable.CreateAsync(stream, writer.Columns, cancellationToken).ConfigureAwait(false);
        return writer;
    }

    /// <summary>Writes pair rows to a Parquet file atomically; the first row decides string or conversational columns.</summary>
    public static async Task<long> WriteAsync(string path, IAsyncEnumerable<PairRow> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        long count = 0;
        await AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            PairParquetWriter? writer = null;
            try
            {
                await foreach (var row in rows.WithCancellation(ct).ConfigureAwait(false))
                {
                    writer ??= await CreateAsync(stream, row.Prompt.IsConversational, ct).ConfigureAwait(false);
                    await writer.AddAsync(row, ct).ConfigureAwait(false);
                }

                writer ??= await CreateAsync(stream, conversational: false, ct).ConfigureAwait(false);
                await writer.CompleteAsync(ct).ConfigureAwait(false);
                count = writer.RowCount;
            }
            finally
            {
                if (writer is not null)
                {
                    await writer.DisposeAsync().ConfigureAwait(false);
                }
            }
        }, cancellationToken).ConfigureAwait(false);
        return count;
    }

    public ValueTask AddAsync(PairRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Prompt.IsConversational != Conversational)
        {
            throw new ArgumentException(
                $"pair {RowCount + 1} ({row.PromptId ?? "no id"}) has a {(row.Prompt.IsConversational ? "conversational" : "plain-text")} prompt while earlier rows have " +
                $"{(Conversational ? "conversational" : "plain-text")} ones; a Parquet column holds one type (export with --conversational to make them all conversations)");
        }

        _id.Add(row.PromptId);
        long bytes;
        if (Conversational)
        {
            ((MessagesColumn)_prompt).Add(row.Prompt.Messages);
            ((MessagesColumn)_chosen).Add([new ChatMessage("assistant", row.Chosen)]);
            ((MessagesColumn)_rejected).Add([new ChatMessage("assistant", row.Rejected)]);
            bytes = row.Prompt.Messages!.Sum(m => (long)m.Content.Length);
        }
        else
        {
            ((StringColumn)_prompt).Add(row.Prompt.Text);
            ((StringColumn)_chosen).Add(row.Chosen);
            ((StringColumn)_rejected).Add(row.Rejected);
            bytes = row.Prompt.Text!.Length;
        }

        var tail = row.Tail;
        _scoreChosen.Add(tail.ScoreChosen);
        _scoreRejected.Add(tail.ScoreRejected);
        _margin.Add(tail.Margin);
        _route.Add(tail.Route);
        _strategy.Add(tail.Strategy);
        _chosenPosition.Add(tail.ChosenPosition);
        _rejectedPosition.Add(tail.RejectedPosition);
        _chosenIndex.Add(tail.ChosenIndex);
        _rejectedIndex.Add(tail.RejectedIndex);
        _fallback.Add(tail.Fallback);
        _implicitMargin.Add(tail.ImplicitMargin);
        _pExternal.Add(tail.ProbabilityExternal);
        _pImplicit.Add(tail.ProbabilityImplicit);
        _probability.Add(tail.Probability);
        _goal.Add(tail.Goal);
        _swapped.Add(tail.Swapped);
        return _table.EndRowAsync(bytes + row.Chosen.Length + row.Rejected.Length + 200, cancellationToken);
    }

    public Task CompleteAsync(CancellationToken cancellationToken = default) => _table.CompleteAsync(cancellationToken);

    public ValueTask DisposeAsync() => _table.DisposeAsync();
}

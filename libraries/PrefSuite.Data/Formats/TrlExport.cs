using System.Text.Json;
using PrefSuite.Data.Files;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>The TRL datasets a pair file can be exported as.</summary>
public enum TrlDataset
{
    /// <summary>Every pair with every PrefSuite column (DPOTrainer reads prompt/chosen/rejected and ignores the rest).</summary>
    Pairs,

    /// <summary>The pairs routed to the preference loss (route "dpo", or no route): what DPOTrainer should see.</summary>
    Dpo,

    /// <summary>The pairs routed to SFT as TRL prompt-completion rows (the chosen response is the completion), for SFTTrainer.</summary>
    Sft,

    /// <summary>Every pair as two unpaired rows — (prompt, chosen, true) and (prompt, rejected, false) — for KTOTrainer.</summary>
    Kto,
}

/// <summary>
/// Writes pair rows as the dataset a TRL trainer expects, in JSONL or Parquet, string or conversational (plain prompts
/// become one user message, completions one assistant message), streaming and atomically.
/// </summary>
public static class TrlExport
{
    public static TrlDataset Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "pairs" => TrlDataset.Pairs,
        "dpo" => TrlDataset.Dpo,
        "sft" => TrlDataset.Sft,
        "kto" => TrlDataset.Kto,
        _ => throw new FormatException($"'{name}' is not pairs, dpo, sft or kto."),
    };

    /// <summary>Writes the export; returns how many rows were written.</summary>
    public static async Task<long> WriteAsync(string path, IAsyncEnumerable<PairRow> pairs, TrlDataset kind, PairFileFormat format, bool conversational, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var rows = Rows(pairs, kind, conversational, cancellationToken);
        if (kind is TrlDataset.Pairs or TrlDataset.Dpo)
        {
            var selected = Select(rows, cancellationToken);
            if (format == PairFileFormat.Parquet)
            {
                return await PairParquetWriter.WriteAsync(path, selected, cancellationToken).ConfigureAwait(false);
            }

            long written = 0;
            await AtomicFile.WriteAsync(path, async (stream, ct) => written = await PairRowWriter.WriteAsync(stream, selected, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return written;
        }

        long count = 0;
        await AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            if (format == PairFileFormat.Parquet)
            {
                count = await WriteParquetAsync(stream, rows, kind == TrlDataset.Kto, ct).ConfigureAwait(false);
            }
            else
            {
                count = await JsonLines.WriteAsync(stream, rows, (writer, row) => WriteUnpaired(writer, row, kind == TrlDataset.Kto), ct).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        return count;
    }

    /// <summary>The rows of the export as (pair, completion, label) before formatting.</summary>
    private static async IAsyncEnumerable<Unpaired> Rows(IAsyncEnumerable<PairRow> pairs, TrlDataset kind, bool conversational, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var pair in pairs.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var row = conversational && !pair.Prompt.IsConversational ? pair with { Prompt = PromptText.FromMessages([new ChatMessage("user", pair.Prompt.Text!)]) } : pair;
            switch (kind)
            {
                case TrlDataset.Pairs:
                    yield return new Unpaired(row, row.Chosen, true);
                    break;
                case TrlDataset.Dpo when row.Route != "sft":
                    yield return new Unpaired(row, row.Chosen, true);
                    break;
                case TrlDataset.Sft when row.Route == "sft":
                    yield return new Unpaired(row, row.Chosen, true);
                    break;
                case TrlDataset.Kto:
                    yield return new Unpaired(row, row.Chosen, true);
                    yield return new Unpaired(row, row.Rejected, false);
                    break;
            }
        }
    }

    private static async IAsyncEnumerable<PairRow> Select(IAsyncEnumerable<Unpaired> rows, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return row.Pair;
        }
    }

    private static void WriteUnpaired(Utf8JsonWriter writer, Unpaired row, bool withLabel)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("prompt"u8);
        PairRowWriter.WritePrompt(writer, row.Pair.Prompt);
        PairRowWriter.WriteResponse(writer, "completion"u8, row.Completion, row.Pair.Prompt.IsConversational);
        if (withLabel)
        {
            writer.WriteBoolean("label"u8, row.Label);
        }

        writer.WriteEndObject();
    }

    private static async Task<long> WriteParquetAsync(Stream stream, IAsyncEnumerable<Unpaired> rows, bool withLabel, CancellationToken cancellationToken)
    {
        ParquetTable? table = null;
        ParquetColumn? prompt = null;
        ParquetColumn? completion = null;
        var label = new NumberColumn<bool>("label");
        var conversational = false;
        try
        {
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (table is null)
                {
                    conversational = row.Pair.Prompt.IsConversational;
                    prompt = conversational ? new MessagesColumn("prompt") : new StringColumn("prompt");
                    completion = conversational ? new MessagesColumn("completion") : new StringColumn("completion");
                    table = await ParquetTable.CreateAsync(stream, withLabel ? [prompt, completion, label] : [prompt, completion], cancellationToken).ConfigureAwait(false);
                }

                if (row.Pair.Prompt.IsConversational != conversational)
                {
                    throw new ArgumentException($"row {table.RowCount + 1} ({row.Pair.PromptId ?? "no id"}) mixes plain-text and conversational prompts; a Parquet column holds one type (export with --conversational)");
                }

                if (conversational)
                {
                    ((MessagesColumn)prompt!).Add(row.Pair.Prompt.Messages);
                    ((MessagesColumn)completion!).Add([new ChatMessage("assistant", row.Completion)]);
                }
                else
                {
                    ((StringColumn)prompt!).Add(row.Pair.Prompt.Text);
                    ((StringColumn)completion!).Add(row.Completion);
                }

                label.Add(row.Label);
                await table.EndRowAsync(row.Completion.Length + 64, cancellationToken).ConfigureAwait(false);
            }

            if (table is null)
            {
                prompt = new StringColumn("prompt");
                completion = new StringColumn("completion");
                table = await ParquetTable.CreateAsync(stream, withLabel ? [prompt, completion, label] : [prompt, completion], cancellationToken).ConfigureAwait(false);
            }

            await table.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return table.RowCount;
        }
        finally
        {
            if (table is not null)
            {
                await table.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed record Unpaired(PairRow Pair, string Completion, bool Label);
}

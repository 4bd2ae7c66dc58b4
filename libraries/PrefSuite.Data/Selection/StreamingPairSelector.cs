using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using PrefSuite.Data.Files;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Rows;
using PrefSuite.Science.Augmentation;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Pairs;
using PrefSuite.Science.Randomness;
using PrefSuite.Science.Routing;

namespace PrefSuite.Data.Selection;

/// <summary>The file format of a pair dataset.</summary>
public enum PairFileFormat
{
    Jsonl,
    Parquet,
}

/// <summary>Where and how selected pairs are written.</summary>
public sealed record PairOutput
{
    public PairFileFormat Format { get; init; } = PairFileFormat.Jsonl;

    /// <summary>Write every prompt as a conversation (plain prompts become one user message), as TRL's conversational format.</summary>
    public bool Conversational { get; init; }

    /// <summary>Folder for the temporary file of candidate texts (default: the system's temporary folder).</summary>
    public string? SpillFolder { get; init; }

    /// <summary>The format a file name asks for: .parquet → Parquet, anything else JSONL.</summary>
    public static PairFileFormat FormatOf(string path) =>
        path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? PairFileFormat.Parquet : PairFileFormat.Jsonl;
}

/// <summary>
/// Builds a preference dataset from a dataset file in one streaming pass (SCIENCE.md §2, §3, §6): rows are parsed
/// in parallel straight from UTF-8, pairs are picked per prompt in file order, each candidate's texts go to a spill
/// file and its margins to memory; then dataset-level selection runs over the margins and the kept pairs are written.
/// Memory holds a few numbers per candidate pair and a few MB of buffers, never the texts, whatever the file's size.
/// The result is the same as <see cref="DatasetPairSelector"/> on the same prompts.
/// </summary>
public static class StreamingPairSelector
{
    /// <summary>Selects pairs from a JSONL or Parquet file and writes them atomically to <paramref name="outputPath"/>.</summary>
    public static async Task<SelectionSummary> SelectFileAsync(string inputPath, ScoredReadOptions read, SelectOptions options, string outputPath, PairOutput output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var rows = await DatasetRows.OpenAsync(inputPath, cancellationToken).ConfigureAwait(false);
        var layout = await ResolveLayoutAsync(rows, read, cancellationToken).ConfigureAwait(false);
        SelectionSummary? summary = null;
        using var run = await SelectionRun.ReadAsync(rows, layout, read, options, output, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAsync(outputPath, async (stream, ct) => summary = await run.WriteAsync(stream, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return summary!;
    }

    /// <summary>Selects pairs from a dataset stream (JSONL, or seekable Parquet) and writes them to <paramref name="output"/>.</summary>
    internal static async Task<SelectionSummary> SelectAsync(Stream input, string name, ScoredReadOptions read, SelectOptions options, Stream output, PairOutput format, CancellationToken cancellationToken = default)
    {
        await using var rows = await DatasetRows.OpenAsync(input, name, cancellationToken).ConfigureAwait(false);
        var layout = await ResolveLayoutAsync(rows, read, cancellationToken).ConfigureAwait(false);
        using var run = await SelectionRun.ReadAsync(rows, layout, read, options, format, cancellationToken).ConfigureAwait(false);
        return await run.WriteAsync(output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Selects pairs from scored prompts given one at a time (the stack's stored units) and writes them to
    /// <paramref name="pairs"/> as JSONL; <paramref name="samples"/>, when given, receives every prompt with its scores.
    /// </summary>
    public static async Task<SelectionSummary> SelectAsync(IAsyncEnumerable<ScoredPrompt> prompts, SelectOptions options, Stream pairs, Stream? samples, string? spillFolder = null, CancellationToken cancellationToken = default)
    {
        await using var rows = new PromptRows(prompts, samples);
        var read = new ScoredReadOptions { Format = InputFormat.Scored, Strict = true };
        var layout = RowLayout.Resolve(read, ["prompt_id", "prompt", "responses"], rows.Name, null);
        using var run = await SelectionRun.ReadAsync(rows, layout, read, options, new PairOutput { SpillFolder = spillFolder }, cancellationToken).ConfigureAwait(false);
        await rows.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return await run.WriteAsync(pairs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The layout of a file: from its Parquet columns, or from its first row's fields.</summary>
    internal static async Task<RowLayout> ResolveLayoutAsync(DatasetRows rows, ScoredReadOptions read, CancellationToken cancellationToken)
    {
        if (read.Format != InputFormat.Auto && read.Format != InputFormat.Mapped && rows.Columns is null)
        {
            return RowLayout.Resolve(read, [], rows.Name, null);
        }

        if (rows.Columns is { } columns)
        {
            return RowLayout.Resolve(read, [.. columns], rows.Name, null);
        }

        var (keys, location) = await FirstRowKeysAsync(rows, cancellationToken).ConfigureAwait(false);
        return RowLayout.Resolve(read, keys, rows.Name, location);
    }

    private static async Task<(HashSet<string> Keys, RowLocation? Location)> FirstRowKeysAsync(DatasetRows rows, CancellationToken cancellationToken)
    {
        if (await rows.FirstRowAsync(cancellationToken).ConfigureAwait(false) is not var (row, location))
        {
            throw new DataFormatException(rows.Name, null, null, "the file has no rows");
        }

        using var document = JsonLines.Parse(rows.Name, location, row);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException(rows.Name, location, null, $"expected a JSON object, found {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
        }

        return ([.. document.RootElement.EnumerateObject().Select(p => p.Name)], location);
    }

    /// <summary>One selection: the candidates' numbers in memory, their texts in the spill.</summary>
    private sealed class SelectionRun : IDisposable
    {
        private readonly IPairStrategy _strategy;
        private readonly SelectOptions _options;
        private readonly PairOutput _output;
        private readonly RowLayout _layout;
        private readonly string _file;
        private readonly PairSpill _spill;
        private readonly PairNumbers _numbers;

        /// <summary>Repeated ids found as the rows come (the random strategies, whose draws follow a renamed id), or after them.</summary>
        private readonly IdSet? _ids;
        private readonly RepeatedIds? _repeats;
        private bool _repeatsResolved;

        /// <summary>
        /// Parsed chunks done with, their parser and arrays ready for the next chunk: a new parser and new arrays per
        /// chunk were most of the read's garbage, which grew with the file.
        /// </summary>
        private readonly System.Collections.Concurrent.ConcurrentQueue<ParsedChunk> _spareChunks = new();
        private readonly PairPick[] _picks;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(PositionCode, double), string> _positionNames = new();
        private bool? _withImplicit;
        private (RowLocation Location, int Index)? _firstWithoutImplicit;
        private int _prompts;
        private int _flat;
        private int _noPair;
        private int _fallbacks;
        private bool _anyMessages;
        private bool _anyText;

        private SelectionRun(RowLayout layout, SelectOptions options, PairOutput output, string file)
        {
            _layout = layout;
            _options = options;
            _output = output;
            _file = file;
            _strategy = PairStrategies.Create(options.Strategy);
            _picks = new PairPick[options.Strategy.PairsPerPrompt];
            _spill = new PairSpill(output.SpillFolder);
            _numbers = new PairNumbers(output.SpillFolder);
            if (_strategy is PositionPairStrategy)
            {
                _repeats = new RepeatedIds(output.SpillFolder);
            }
            else
            {
                _ids = new IdSet(output.SpillFolder);
            }
        }

        private bool Routing => _options.Dataset.RouteSmallMargins;

        private ParsedChunk RentParsedChunk(ScoredReadOptions read) =>
            _spareChunks.TryDequeue(out var spare) ? spare : new ParsedChunk(new ScoredRowParser(_layout, read, _file), _file, _spareChunks);

        public static async Task<SelectionRun> ReadAsync(DatasetRows rows, RowLayout layout, ScoredReadOptions read, SelectOptions options, PairOutput output, CancellationToken cancellationToken)
        {
            var run = new SelectionRun(layout, options, output, rows.Name);
            try
            {
                ScoredPromptReader.NoteUnreadColumns(rows, layout, read);
                await foreach (var parsed in rows.MapInOrderAsync(chunk => run.RentParsedChunk(read).Parse(chunk, layout, run._strategy, options.Strategy.PairsPerPrompt), layout.Reads, cancellationToken).ConfigureAwait(false))
                {
                    using (parsed)
                    {
                        if (parsed.Chunk.Sequence == 0 && rows.Length is { } length && parsed.Chunk.Bytes > 0)
                        {
                            // Size the per-prompt numbers for the whole file now: growing them by doubling would copy them and hold both copies.
                            run.Reserve((long)(length / (double)parsed.Chunk.Bytes * parsed.Count * 1.05), options.Strategy.PairsPerPrompt);
                        }

                        parsed.Parser.Report(read.Notes);
                        read.Notes?.CountUnrated(parsed.Unrated);
                        run.Add(parsed);
                    }
                }

                await run.RenameRepeatsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RepeatedIdException repeated)
            {
                run.Dispose();
                var earlier = await ScoredPromptReader.FirstRowWithIdAsync(rows.Name, layout.Id?.Name ?? "prompt_id", repeated.Id, cancellationToken).ConfigureAwait(false);
                throw new DataFormatException(rows.Name, repeated.Location, layout.Id?.Name ?? "prompt_id",
                    $"'{repeated.Id}' repeats the prompt of {(earlier is { } at ? at.ToString() : "an earlier row")}");
            }
            catch (DataFormatException) when (run._repeats is not null && !run._repeatsResolved)
            {
                // A repeated id in the rows before the faulty one is the error reading met first when it looked at once.
                try
                {
                    await run.RenameRepeatsAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    run.Dispose();
                    throw;
                }

                run.Dispose();
                throw;
            }
            catch
            {
                run.Dispose();
                throw;
            }

            return run;
        }

        public async Task<SelectionSummary> WriteAsync(Stream stream, CancellationToken cancellationToken)
        {
            _numbers.HasImplicit = _withImplicit == true;
            var plan = DatasetSelection.Plan(_numbers, _options.Dataset);
            var conversational = _output.Conversational || _anyMessages;
            if (_output.Format == PairFileFormat.Parquet && _anyMessages && _anyText && !_output.Conversational)
            {
                throw new DataFormatException(_file, null, _layout.Prompt.Name,
                    "mixes plain-text and conversational prompts, and a Parquet column holds one type; select with --conversational to write them all as conversations");
            }

            using var reader = _spill.Sequential();
            double chosenSum = 0, rejectedSum = 0;
            var written = 0;
            if (_output.Format == PairFileFormat.Parquet)
            {
                await using var sink = await ParquetSink.CreateAsync(stream, conversational, cancellationToken).ConfigureAwait(false);
                foreach (var bytes in Records(reader, plan))
                {
                    var header = new SpillRecord(bytes.Span).Header;
                    chosenSum += header.ScoreChosen;
                    rejectedSum += header.ScoreRejected;
                    written++;
                    await sink.WriteAsync(bytes, Tail(plan, header), cancellationToken).ConfigureAwait(false);
                }

                await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Rows are formatted in batches on the thread pool and written in order; the few batches in flight, and
                // the work items that format them, are reused, so the write holds and allocates the same for a thousand
                // pairs as for ten million.
                var pending = new Queue<PooledWork<FormatBatch, FormatBatch>>();
                var spare = new Stack<FormatBatch>();
                var idle = new Stack<PooledWork<FormatBatch, FormatBatch>>();
                FormatBatch Take() => spare.TryPop(out var reused) ? reused : new FormatBatch();
                void Start(FormatBatch full)
                {
                    var work = idle.TryPop(out var reused) ? reused : new PooledWork<FormatBatch, FormatBatch>(b => Format(b, plan));
                    work.Start(full);
                    pending.Enqueue(work);
                }

                var batch = Take();
                try
                {
                    foreach (var bytes in Records(reader, plan))
                    {
                        var header = new SpillRecord(bytes.Span).Header;
                        chosenSum += header.ScoreChosen;
                        rejectedSum += header.ScoreRejected;
                        written++;
                        batch.Records.Add(bytes.Span);
                        if (batch.Records.Bytes >= RecordBatch.Size)
                        {
                            Start(batch);
                            batch = Take();
                            if (pending.Count >= 4)
                            {
                                await WriteFormattedAsync(stream, pending.Dequeue(), spare, idle, cancellationToken).ConfigureAwait(false);
                            }
                        }
                    }

                    Start(batch);
                    batch = null;
                    while (pending.Count > 0)
                    {
                        await WriteFormattedAsync(stream, pending.Dequeue(), spare, idle, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    batch?.Dispose();
                    foreach (var work in pending)
                    {
                        try
                        {
                            (await work.Result.ConfigureAwait(false)).Dispose();
                        }
                        catch (Exception)
                        {
                            // Formatted after an earlier failure: its error is not the one to report.
                        }
                    }

                    foreach (var unused in spare)
                    {
                        unused.Dispose();
                    }
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            var (withPair, onlyTies, notKept) = PromptOutcomes(plan);
            return new SelectionSummary
            {
                Prompts = _prompts,
                FlatPrompts = _flat,
                WithoutPair = new PromptsWithoutPair(_flat, _noPair, onlyTies, notKept),
                PromptsWithPair = withPair,
                ZeroMarginPairs = (int)_numbers.ZeroMargins,
                DroppedZeroMarginPairs = plan.DroppedTies,
                Fallbacks = _fallbacks,
                CandidatePairs = (int)_numbers.Count,
                Kept = plan.KeptCount,
                RoutedToSft = plan.SftCount,
                UsedImplicitMargins = _withImplicit == true,
                ExternalCap = plan.ExternalCap,
                ImplicitCap = plan.ImplicitCap,
                RouteThreshold = plan.RouteThreshold,
                MeanChosenReward = written == 0 ? double.NaN : chosenSum / written,
                MeanRejectedReward = written == 0 ? double.NaN : rejectedSum / written,
            };
        }

        /// <summary>
        /// (prompts with an output row, prompts whose candidates were all dropped ties, prompts whose candidates were all
        /// outside the top K): one pass over the pair numbers, whose pairs come prompt by prompt.
        /// </summary>
        private (int WithPair, int OnlyTies, int NotKept) PromptOutcomes(DatasetSelectionPlan plan)
        {
            int withPair = 0, onlyTies = 0, notKept = 0;
            var filter = plan.Filter();
            var prompt = -1;
            bool anyKept = false, anyNonTie = false;
            void Close()
            {
                if (prompt < 0)
                {
                    return;
                }

                var tiesDropped = plan.DroppedTies > 0 && !anyNonTie;
                withPair += anyKept ? 1 : 0;
                onlyTies += !anyKept && tiesDropped ? 1 : 0;
                notKept += !anyKept && !tiesDropped ? 1 : 0;
            }

            foreach (var number in _numbers.Read())
            {
                if (number.Prompt != prompt)
                {
                    Close();
                    (prompt, anyKept, anyNonTie) = (number.Prompt, false, false);
                }

                anyKept |= filter.Keep(number.External, number.Implicit);
                anyNonTie |= number.External != 0;
            }

            Close();
            return (withPair, onlyTies, notKept);
        }

        /// <summary>The kept pairs' spilled records in output order: file order, or the curriculum order when routing.</summary>
        private IEnumerable<ReadOnlyMemory<byte>> Records(SpillReader reader, DatasetSelectionPlan plan)
        {
            if (!Routing)
            {
                var filter = plan.Filter();
                while (reader.TryReadNext(out var bytes))
                {
                    var header = new SpillRecord(bytes.Span).Header;
                    if (filter.Keep(header.ExternalMargin, header.ImplicitMargin))
                    {
                        yield return bytes;
                    }
                }
            }
            else
            {
                foreach (var offset in CurriculumOrder.Offsets(_numbers, plan))
                {
                    yield return reader.ReadAt(offset);
                }
            }
        }

        /// <summary>Pooled: a task a batch was garbage that grew with the output.</summary>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        private static async ValueTask WriteFormattedAsync(Stream stream, PooledWork<FormatBatch, FormatBatch> formatting, Stack<FormatBatch> spare, Stack<PooledWork<FormatBatch, FormatBatch>> idle, CancellationToken cancellationToken)
        {
            var batch = await formatting.Result.ConfigureAwait(false);
            idle.Push(formatting);
            await stream.WriteAsync(batch.Output.WrittenMemory, cancellationToken).ConfigureAwait(false);
            batch.Clear();
            spare.Push(batch);
        }

        private FormatBatch Format(FormatBatch batch, DatasetSelectionPlan plan)
        {
            var records = batch.Records;
            var output = batch.Output;
            var writer = batch.Writer;
            writer.Reset(output);
            for (var i = 0; i < records.Count; i++)
            {
                var record = records.Record(i);
                var header = new SpillRecord(record).Header;
                JsonlPairFormat.Write(writer, batch.Scratch, record, Tail(plan, header), _output.Conversational);
                writer.Flush();
                output.Write("\n"u8);
                writer.Reset(output);
            }

            return batch;
        }

        private PairTail Tail(DatasetSelectionPlan plan, in SpillHeader header)
        {
            var implicitMargin = _withImplicit == true ? header.ImplicitMargin : double.NaN;
            var decision = plan.Decide(header.ExternalMargin, implicitMargin);
            return new PairTail(
                header.ScoreChosen,
                header.ScoreRejected,
                header.ExternalMargin,
                decision.Route == PairRoute.Sft ? "sft" : "dpo",
                _strategy.Name,
                PositionName(header.ChosenKind, header.ChosenK),
                PositionName(header.RejectedKind, header.RejectedK),
                header.ChosenIndex,
                header.RejectedIndex,
                (header.Flags & SpillFlags.Fallback) != 0 ? DatasetPairSelector.FallbackName : null,
                _withImplicit == true ? implicitMargin : null,
                decision.ExternalProbability,
                decision.ImplicitProbability,
                decision.Probability,
                null,
                null);
        }

        public void Dispose()
        {
            _spill.Dispose();
            _numbers.Dispose();
            _ids?.Dispose();
            _repeats?.Dispose();
        }

        private void Reserve(long prompts, int pairsPerPrompt)
        {
            _ids?.Reserve(prompts);
        }

        /// <summary>
        /// Once every row is read: each row whose id an earlier row has is renamed in the spilled pairs ('-L' and its
        /// line, '-R' and its Parquet row), or, in a PrefSuite file, is an error naming both rows.
        /// </summary>
        private async Task RenameRepeatsAsync(CancellationToken cancellationToken)
        {
            if (_repeats is null || _repeatsResolved)
            {
                return;
            }

            _repeatsResolved = true;
            using var pairs = _numbers.Read().GetEnumerator();
            var more = pairs.MoveNext();
            foreach (var (first, repeat) in _repeats.InRowOrder())
            {
                if (!repeat.Renamable)
                {
                    var idName = _layout.Id?.Name ?? "prompt_id";
                    var id = await ScoredPromptReader.IdAtAsync(_file, idName, repeat.Location, cancellationToken).ConfigureAwait(false);
                    throw new DataFormatException(_file, repeat.Location, idName,
                        id is null ? $"repeats the prompt id of {first.Location}" : $"'{id}' repeats the prompt of {first.Location}");
                }

                while (more && pairs.Current.Prompt < repeat.Number)
                {
                    more = pairs.MoveNext();
                }

                var (kind, suffix) = repeat.Location.IsParquet ? ((byte)'R', repeat.Location.Row) : ((byte)'L', repeat.Location.Line);
                for (; more && pairs.Current.Prompt == repeat.Number; more = pairs.MoveNext())
                {
                    _spill.Rename(pairs.Current.Offset, kind, suffix);
                }
            }
        }

        private string PositionName(PositionCode kind, double k) =>
            _positionNames.GetOrAdd((kind, k), static (key, strategy) => strategy.Describe(SpillHeader.Decode(key.Item1, key.Item2)), _strategy);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Add(ParsedChunk chunk)
        {
            var bytes = chunk.Chunk.Buffer;
            for (var row = 0; row < chunk.Count; row++)
            {
                ref readonly var info = ref chunk.Rows[row];
                _prompts++;
                var idToken = info.IdIsHash ? chunk.HashIds.AsSpan(row * 66, 66) : bytes.AsSpan(info.Id.Start, info.Id.Length);
                var (suffixKind, suffix) = CheckId(idToken, info);
                var rewards = chunk.Rewards.AsSpan(info.First, info.Count);
                if (info.Count < 2)
                {
                    if (info.Unrated > 0)
                    {
                        _flat++; // distilabel rows whose ratings failed: no pair, as for all-equal rewards
                        continue;
                    }

                    throw new DataFormatException(_file, info.Location, _layout.IsPair ? null : _layout.Responses.Name,
                        $"prompt '{Decode(idToken)}' has {info.Count} response; a pair needs at least two");
                }

                var picks = chunk.Picks.AsSpan(info.FirstPick, info.PickCount);
                if (suffixKind != 0 && _strategy is not PositionPairStrategy)
                {
                    // A repeated prompt renamed here: its random draws follow its new id, as in the in-memory selector.
                    var count = _strategy.PickPairs(rewards, StableHash.Fnv1a64(IdText(idToken, suffixKind, suffix)), _picks);
                    picks = _picks.AsSpan(0, count);
                    chunk.Validate(info, picks, _layout);
                }

                if (picks.IsEmpty)
                {
                    var flat = rewards.IndexOfAnyExcept(rewards[0]) < 0;
                    _flat += flat ? 1 : 0;
                    _noPair += flat ? 0 : 1;
                    continue;
                }

                var prompt = bytes.AsSpan(info.Prompt.Start, info.Prompt.Length);
                _anyMessages |= info.PromptIsMessages;
                _anyText |= !info.PromptIsMessages;
                foreach (var pick in picks)
                {
                    var chosen = info.First + pick.ChosenIndex;
                    var rejected = info.First + pick.RejectedIndex;
                    var implicitMargin = ImplicitMargin(chunk, info, pick);
                    var (chosenKind, chosenK) = SpillHeader.Encode(pick.ChosenPosition);
                    var (rejectedKind, rejectedK) = SpillHeader.Encode(pick.RejectedPosition);
                    var flags = (info.PromptIsMessages ? SpillFlags.PromptIsMessages : SpillFlags.None)
                        | (info.PromptNeedsClose ? SpillFlags.PromptNeedsClose : SpillFlags.None)
                        | (pick.Fallback == PairFallback.FewerThanThreeResponses ? SpillFlags.Fallback : SpillFlags.None);
                    _fallbacks += pick.Fallback != PairFallback.None ? 1 : 0;
                    _numbers.Add(new PairNumber(rewards[pick.ChosenIndex] - rewards[pick.RejectedIndex], implicitMargin, _spill.Position, _prompts - 1));
                    _spill.Append(
                        new SpillHeader(chunk.Original[chosen], chunk.Original[rejected], rewards[pick.ChosenIndex], rewards[pick.RejectedIndex], implicitMargin, flags,
                            chosenKind, chosenK, rejectedKind, rejectedK, suffixKind, suffix),
                        idToken,
                        prompt,
                        bytes.AsSpan(chunk.Texts[chosen].Start, chunk.Texts[chosen].Length),
                        bytes.AsSpan(chunk.Texts[rejected].Start, chunk.Texts[rejected].Length));
                }
            }
        }

        /// <summary>Implicit margins are all or nothing: the first candidate decides, a later one that differs is an error.</summary>
        private double ImplicitMargin(ParsedChunk chunk, in RowInfo info, PairPick pick)
        {
            var chosen = chunk.Implicit[info.First + pick.ChosenIndex];
            var rejected = chunk.Implicit[info.First + pick.RejectedIndex];
            var has = !double.IsNaN(chosen) && !double.IsNaN(rejected);
            _withImplicit ??= has;
            if (!has)
            {
                _firstWithoutImplicit ??= (info.Location, chunk.Original[info.First + (double.IsNaN(chosen) ? pick.ChosenIndex : pick.RejectedIndex)]);
            }

            if (has != _withImplicit)
            {
                var (location, index) = _firstWithoutImplicit!.Value;
                throw new DataFormatException(_file, location, $"{_layout.Responses.Name}[{index}].implicit_reward",
                    "is missing while other responses have one; give implicit rewards for all responses or for none");
            }

            return has ? Margin.Implicit(chosen, rejected) : double.NaN;
        }

        private (byte Kind, long Suffix) CheckId(ReadOnlySpan<byte> idToken, in RowInfo info)
        {
            if (_repeats is not null)
            {
                _repeats.Add(info.IdHash, _prompts - 1, info.Location, renamable: info.IdIsHash || !_layout.RepeatedIdsAreErrors);
                return (0, 0);
            }

            if (_ids!.Add(info.IdHash))
            {
                return (0, 0);
            }

            if (_layout.RepeatedIdsAreErrors && !info.IdIsHash)
            {
                throw new RepeatedIdException(Decode(idToken), info.Location);
            }

            // Public datasets repeat prompts: an imported row keeps apart by its line (or Parquet row).
            var (kind, suffix) = info.Location.IsParquet ? ((byte)'R', info.Location.Row) : ((byte)'L', info.Location.Line);
            _ids.Add(IdSet.Hash(Encoding.UTF8.GetBytes(IdText(idToken, kind, suffix))));
            return (kind, suffix);
        }

    }

    private static string Decode(ReadOnlySpan<byte> token) => JsonTokens.Decode(token);

    /// <summary>The prompt's seed for pair picking, <c>StableHash.Fnv1a64</c> of its id: over the token's bytes when they need no unescaping, without making a string.</summary>
    private static ulong IdSeed(ReadOnlySpan<byte> token)
    {
        var reader = new Utf8JsonReader(token);
        reader.Read();
        return reader.ValueIsEscaped || !Utf8.IsValid(reader.ValueSpan) ? StableHash.Fnv1a64(Decode(token)) : StableHash.Fnv1a64(reader.ValueSpan);
    }

    private static string IdText(ReadOnlySpan<byte> token, byte suffixKind, long suffix) =>
        suffixKind == 0 ? Decode(token) : string.Create(CultureInfo.InvariantCulture, $"{Decode(token)}-{(char)suffixKind}{suffix}");

    /// <summary>A PrefSuite file repeats an id; the earlier row is looked up only then.</summary>
    private sealed class RepeatedIdException(string id, RowLocation location) : Exception($"'{id}' repeats an earlier prompt id")
    {
        public string Id { get; } = id;

        public RowLocation Location { get; } = location;
    }

    /// <summary>Per row: where its numbers are in the chunk's flat arrays and where its texts are in the chunk's bytes.</summary>
    private readonly record struct RowInfo(
        int First, int Count, ByteRange Prompt, bool PromptIsMessages, bool PromptNeedsClose, ByteRange Id, bool IdIsHash, ulong IdHash, int Unrated, RowLocation Location, int FirstPick, int PickCount);

    /// <summary>
    /// A chunk's rows parsed on a worker thread: numbers and byte ranges, no strings. Disposing it returns the chunk's
    /// buffers and puts it, with its parser and arrays, back among the spares for the next chunk.
    /// </summary>
    private sealed class ParsedChunk : IDisposable
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<ParsedChunk> _spares;
        private RowChunk? _chunk;

        public ParsedChunk(ScoredRowParser parser, string file, System.Collections.Concurrent.ConcurrentQueue<ParsedChunk> spares)
        {
            Parser = parser;
            File = file;
            _spares = spares;
        }

        public string File { get; }

        public PairPick[] Picks { get; private set; } = new PairPick[256];

        public RowChunk Chunk => _chunk ?? throw new ObjectDisposedException(nameof(ParsedChunk));

        public ScoredRowParser Parser { get; }

        public int Count => Chunk.Count;

        public RowInfo[] Rows { get; private set; } = [];

        public byte[] HashIds { get; private set; } = [];

        public double[] Rewards { get; private set; } = new double[256];

        public double[] Implicit { get; private set; } = new double[256];

        public int[] Original { get; private set; } = new int[256];

        public ByteRange[] Texts { get; private set; } = new ByteRange[256];

        public long Unrated { get; private set; }

        /// <summary>Parses <paramref name="chunk"/>, which it then owns; returns itself.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public ParsedChunk Parse(RowChunk chunk, RowLayout layout, IPairStrategy strategy, int pairsPerPrompt)
        {
            _chunk = chunk;
            Unrated = 0;
            if (Rows.Length < chunk.Count)
            {
                Rows = new RowInfo[Math.Max(chunk.Count, Rows.Length * 2)];
                HashIds = new byte[Rows.Length * 66];
            }

            try
            {
                var total = 0;
                var picks = 0;
                for (var i = 0; i < chunk.Count; i++)
                {
                    var offset = chunk.Start(i);
                    var row = Parser.Parse(chunk.Row(i), chunk.Location(i));
                    Ensure(total + row.Count);
                    for (var r = 0; r < row.Count; r++)
                    {
                        Rewards[total + r] = row.SelectionReward(r);
                        Implicit[total + r] = row.Implicit[r];
                        Original[total + r] = row.OriginalIndex[r];
                        Texts[total + r] = new ByteRange(offset + row.Texts[r].Start, row.Texts[r].Length);
                    }

                    if (row.IdIsHash)
                    {
                        row.HashId.CopyTo(HashIds, i * 66);
                    }

                    var idToken = row.IdIsHash ? row.HashId : chunk.Row(i).Slice(row.Id.Start, row.Id.Length);
                    if (Picks.Length < picks + pairsPerPrompt)
                    {
                        Picks = Grow(Picks, Math.Max(picks + pairsPerPrompt, Picks.Length * 2));
                    }

                    // Pairs are picked here, in parallel; the consumer redoes it only for a repeated prompt it renames.
                    var pickCount = row.Count < 2 ? 0 : strategy.PickPairs(
                        Rewards.AsSpan(total, row.Count),
                        strategy is PositionPairStrategy ? 0UL : IdSeed(idToken),
                        Picks.AsSpan(picks, pairsPerPrompt));
                    Rows[i] = new RowInfo(
                        total,
                        row.Count,
                        PromptRange(chunk, row, offset),
                        row.PromptIsMessages,
                        row.PromptNeedsClose,
                        new ByteRange(offset + row.Id.Start, row.Id.Length),
                        row.IdIsHash,
                        IdSet.Hash(idToken),
                        row.Unrated,
                        row.Location,
                        picks,
                        pickCount);
                    Validate(Rows[i], Picks.AsSpan(picks, pickCount), layout);
                    Unrated += row.Unrated;
                    total += row.Count;
                    picks += pickCount;
                }

                return this;
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>The texts a pick will copy must be valid UTF-8 (the reader checks structure, not encoding).</summary>
        public void Validate(in RowInfo info, ReadOnlySpan<PairPick> picks, RowLayout layout)
        {
            if (picks.IsEmpty)
            {
                return;
            }

            var bytes = Chunk.Buffer;
            Check(bytes.AsSpan(info.Prompt.Start, info.Prompt.Length), info.Location, layout.Prompt.Name);
            if (!info.IdIsHash)
            {
                Check(bytes.AsSpan(info.Id.Start, info.Id.Length), info.Location, layout.Id?.Name ?? "prompt_id");
            }

            foreach (var pick in picks)
            {
                foreach (var index in (ReadOnlySpan<int>)[pick.ChosenIndex, pick.RejectedIndex])
                {
                    var text = Texts[info.First + index];
                    if (!Utf8.IsValid(bytes.AsSpan(text.Start, text.Length)))
                    {
                        // The field's name is made only here: made for every response checked, it was most of the selection's garbage.
                        throw NotUtf8(info.Location, layout.IsPair ? (index == 0 ? layout.Chosen.Name : layout.Rejected.Name) : $"{layout.Responses.Name}[{Original[info.First + index]}]");
                    }
                }
            }
        }

        public void Dispose()
        {
            if (_chunk is null)
            {
                return;
            }

            _chunk.Dispose();
            _chunk = null;
            Parser.Report(null); // notes of a chunk nobody consumed are dropped with it
            _spares.Enqueue(this);
        }

        private static ByteRange PromptRange(RowChunk chunk, ParsedRow row, int offset) => new(offset + row.Prompt.Start, row.Prompt.Length);

        private void Check(ReadOnlySpan<byte> token, RowLocation location, string field)
        {
            if (!Utf8.IsValid(token))
            {
                throw NotUtf8(location, field);
            }
        }

        private DataFormatException NotUtf8(RowLocation location, string field) => new(File, location, field, "is not valid UTF-8");

        private void Ensure(int size)
        {
            if (size <= Rewards.Length)
            {
                return;
            }

            var capacity = Math.Max(size, Rewards.Length * 2);
            Rewards = Grow(Rewards, capacity);
            Implicit = Grow(Implicit, capacity);
            Original = Grow(Original, capacity);
            Texts = Grow(Texts, capacity);
        }

        private static T[] Grow<T>(T[] array, int capacity)
        {
            var larger = new T[capacity];
            array.CopyTo(larger, 0);
            return larger;
        }
    }

    /// <summary>Writes spilled pairs with their decisions.</summary>
    private interface IPairSink : IAsyncDisposable
    {
        ValueTask WriteAsync(ReadOnlyMemory<byte> record, PairTail tail, CancellationToken cancellationToken);

        Task CompleteAsync(CancellationToken cancellationToken);
    }

    /// <summary>A batch's records, its formatted rows and a scratch buffer: reused from batch to batch.</summary>
    private sealed class FormatBatch : IDisposable
    {
        public RecordBatch Records { get; } = new();

        public PooledBufferWriter Output { get; } = new(RecordBatch.Size * 2);

        public PooledBufferWriter Scratch { get; } = new(1024);

        /// <summary>Writes into <see cref="Output"/>: one writer for every batch this one carries.</summary>
        public Utf8JsonWriter Writer { get; } = new(Stream.Null, JsonLines.WriterOptions);

        public void Clear()
        {
            Records.Clear();
            Output.Clear();
        }

        public void Dispose()
        {
            Records.Dispose();
            Output.Dispose();
            Scratch.Dispose();
            Writer.Dispose();
        }
    }

    /// <summary>Spilled records copied together, to be formatted on one thread.</summary>
    private sealed class RecordBatch : IDisposable
    {
        public const int Size = 1 << 19;
        private readonly PooledBufferWriter _bytes = new(Size + (Size / 4));
        private readonly List<(int Start, int Length)> _records = new(1024);

        public int Bytes => _bytes.WrittenCount;

        public int Count => _records.Count;

        public ReadOnlySpan<byte> Record(int i) => _bytes.WrittenSpan.Slice(_records[i].Start, _records[i].Length);

        public void Add(ReadOnlySpan<byte> record)
        {
            _records.Add((_bytes.WrittenCount, record.Length));
            _bytes.Write(record);
        }

        public void Clear()
        {
            _records.Clear();
            _bytes.Clear();
        }

        public void Dispose() => _bytes.Dispose();
    }

    /// <summary>A pair row as JSONL straight from its spilled UTF-8: texts are copied, never decoded.</summary>
    private static class JsonlPairFormat
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Write(Utf8JsonWriter writer, PooledBufferWriter scratch, ReadOnlySpan<byte> bytes, in PairTail tail, bool conversational)
        {
            var record = new SpillRecord(bytes);
            var header = record.Header;
            var messages = (header.Flags & SpillFlags.PromptIsMessages) != 0;
            writer.WriteStartObject();
            writer.WritePropertyName("prompt_id"u8);
            if (header.SuffixKind == 0)
            {
                writer.WriteRawValue(record.Id, skipInputValidation: true);
            }
            else
            {
                writer.WriteStringValue(IdText(record.Id, header.SuffixKind, header.Suffix));
            }

            writer.WritePropertyName("prompt"u8);
            if (!messages && conversational)
            {
                WriteMessage(writer, "user"u8, record.Prompt);
            }
            else if ((header.Flags & SpillFlags.PromptNeedsClose) != 0)
            {
                scratch.Clear();
                scratch.Write(record.Prompt);
                scratch.Write("]"u8);
                writer.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
            }
            else
            {
                writer.WriteRawValue(record.Prompt, skipInputValidation: true);
            }

            WriteResponse(writer, "chosen"u8, record.Chosen, messages || conversational);
            WriteResponse(writer, "rejected"u8, record.Rejected, messages || conversational);
            PairColumns.WriteTail(writer, tail);
            writer.WriteEndObject();
        }

        private static void WriteResponse(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ReadOnlySpan<byte> text, bool conversational)
        {
            writer.WritePropertyName(name);
            if (conversational)
            {
                WriteMessage(writer, "assistant"u8, text);
            }
            else
            {
                writer.WriteRawValue(text, skipInputValidation: true);
            }
        }

        private static void WriteMessage(Utf8JsonWriter writer, ReadOnlySpan<byte> role, ReadOnlySpan<byte> content)
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("role"u8, role);
            writer.WritePropertyName("content"u8);
            writer.WriteRawValue(content, skipInputValidation: true);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }
    }

    /// <summary>Parquet: the spilled texts are decoded into pair rows, a row group at a time.</summary>
    private sealed class ParquetSink : IPairSink
    {
        private readonly PairParquetWriter _writer;

        private ParquetSink(PairParquetWriter writer) => _writer = writer;

        public static async Task<ParquetSink> CreateAsync(Stream stream, bool conversational, CancellationToken cancellationToken) =>
            new(await PairParquetWriter.CreateAsync(stream, conversational, cancellationToken).ConfigureAwait(false));

        public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, PairTail tail, CancellationToken cancellationToken)
        {
            var record = new SpillRecord(bytes.Span);
            var header = record.Header;
            var prompt = (header.Flags & SpillFlags.PromptIsMessages) != 0
                ? PromptText.FromMessages(ReadMessages(record.Prompt, (header.Flags & SpillFlags.PromptNeedsClose) != 0))
                : PromptText.FromText(Decode(record.Prompt));
            if (_writer.Conversational && !prompt.IsConversational)
            {
                prompt = PromptText.FromMessages([new ChatMessage("user", prompt.Text!)]);
            }

            var row = new PairRow
            {
                PromptId = IdText(record.Id, header.SuffixKind, header.Suffix),
                Prompt = prompt,
                Chosen = Decode(record.Chosen),
                Rejected = Decode(record.Rejected),
                ScoreChosen = tail.ScoreChosen,
                ScoreRejected = tail.ScoreRejected,
                Margin = tail.Margin,
                Route = tail.Route,
                Strategy = tail.Strategy,
                ChosenPosition = tail.ChosenPosition,
                RejectedPosition = tail.RejectedPosition,
                ChosenIndex = tail.ChosenIndex,
                RejectedIndex = tail.RejectedIndex,
                Fallback = tail.Fallback,
                ImplicitMargin = tail.ImplicitMargin,
                ProbabilityExternal = tail.ProbabilityExternal,
                ProbabilityImplicit = tail.ProbabilityImplicit,
                Probability = tail.Probability,
            };
            return _writer.AddAsync(row, cancellationToken);
        }

        public Task CompleteAsync(CancellationToken cancellationToken) => _writer.CompleteAsync(cancellationToken);

        public ValueTask DisposeAsync() => _writer.DisposeAsync();

        private static List<ChatMessage> ReadMessages(ReadOnlySpan<byte> json, bool needsClose) => JsonTokens.Messages(json, needsClose);
    }

    /// <summary>Scored prompts given as objects, turned into JSON rows (and, when asked, written out as samples on the way).</summary>
    private sealed class PromptRows(IAsyncEnumerable<ScoredPrompt> prompts, Stream? samples) : DatasetRows("(prompts)")
    {
        private readonly JsonLineWriter? _samples = samples is null ? null : new JsonLineWriter(samples);

        public override bool IsParquet => false;

        public override async IAsyncEnumerable<RowChunk> ReadChunksAsync(Func<string, bool>? include = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var buffer = new PooledBufferWriter(1 << 16);
            using var writer = new Utf8JsonWriter(buffer, JsonLines.WriterOptions);
            var starts = new List<int>();
            var lengths = new List<int>();
            long line = 0;
            var sequence = 0L;
            try
            {
                await foreach (var prompt in prompts.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    var start = buffer.WrittenCount;
                    ScoredPromptWriter.Write(writer, prompt);
                    writer.Flush();
                    writer.Reset(buffer);
                    starts.Add(start);
                    lengths.Add(buffer.WrittenCount - start);
                    if (_samples is not null)
                    {
                        _samples.Writer.WriteRawValue(buffer.WrittenSpan[start..], skipInputValidation: true);
                        await _samples.EndLineAsync(cancellationToken).ConfigureAwait(false);
                    }

                    if (buffer.WrittenCount >= 1 << 20)
                    {
                        yield return Take(buffer, starts, lengths, ref line, ref sequence);
                    }
                }

                if (starts.Count > 0)
                {
                    yield return Take(buffer, starts, lengths, ref line, ref sequence);
                }
            }
            finally
            {
                buffer.Dispose();
            }
        }

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            if (_samples is not null)
            {
                await _samples.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public override ValueTask DisposeAsync()
        {
            _samples?.Dispose();
            return ValueTask.CompletedTask;
        }

        private static RowChunk Take(PooledBufferWriter buffer, List<int> starts, List<int> lengths, ref long line, ref long sequence)
        {
            var count = starts.Count;
            var startArray = ArrayPool<int>.Shared.Rent(count);
            var lengthArray = ArrayPool<int>.Shared.Rent(count);
            var lines = ArrayPool<long>.Shared.Rent(count);
            for (var i = 0; i < count; i++)
            {
                startArray[i] = starts[i];
                lengthArray[i] = lengths[i];
                lines[i] = ++line;
            }

            starts.Clear();
            lengths.Clear();
            var chunk = RowChunk.OfLines(buffer.Detach(1 << 16), startArray, lengthArray, lines, count);
            chunk.Sequence = sequence++;
            return chunk;
        }
    }
}

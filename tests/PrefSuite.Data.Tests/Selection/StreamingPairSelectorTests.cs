using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Augmentation;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Pairs;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Data.Tests.Selection;

public class StreamingPairSelectorTests
{
    /// <summary>Rewards from a few values, so that ties (at the max, at μ − kσ, all equal) are common.</summary>
    private static readonly Gen<ScoredPrompt[]> Prompts =
        Gen.Select(
            Gen.Select(Gen.Int[2, 12], Gen.Bool).SelectMany((n, conversational) =>
                Gen.Select(Gen.Int[0, 6].Array[n], Gen.Int[-3, 3].Array[n]).Select((rewards, implicits) => (rewards, implicits, conversational))).Array[1, 40],
            Gen.Bool)
        .Select((rows, withImplicit) => rows.Select((r, i) => Prompt(i, r.conversational, r.rewards, withImplicit ? r.implicits : null)).ToArray());

    private static readonly Gen<SelectOptions> Options =
        Gen.Select(
            Gen.OneOf(StrategyNames.SweetSpot, StrategyNames.MaxMin, StrategyNames.Position, StrategyNames.MaxMinOfKRandom, StrategyNames.Random),
            Gen.Int[1, 3],
            Gen.OneOf(KeepRule.All, KeepRule.OfFraction(0.3), KeepRule.OfCount(5)),
            Gen.Bool,
            Gen.OneOf(AggregationMethod.Bayes, AggregationMethod.Mean, AggregationMethod.Min),
            Gen.OneOf(SigmaKind.Population, SigmaKind.Sample))
        .Select((strategy, pairs, keep, route, aggregation, sigma) => new SelectOptions
        {
            Strategy = new PairStrategyOptions
            {
                Name = strategy,
                Chosen = strategy == StrategyNames.Position ? RewardPosition.Sigma(1) : null,
                Rejected = strategy == StrategyNames.Position ? RewardPosition.Min : null,
                PairsPerPrompt = pairs,
                K = 3,
                Seed = 7,
                Sigma = sigma,
            },
            Dataset = new DatasetSelectionOptions { Keep = keep, RouteSmallMargins = route, Aggregation = aggregation, ImplicitCap = 1.5 },
        });

    [Fact]
    public async Task StreamingSelectionWritesTheRowsOfTheInMemorySelector()
    {
        // The streaming path (UTF-8 parse, spill, plan over margins, raw copy) against the plain in-memory selector.
        await Gen.Select(Prompts, Options).SampleAsync(
            async (prompts, options) =>
            {
                var (expectedRows, expectedSummary) = Expected(prompts, options);
                var (rows, summary) = await StreamAsync(prompts, options, PairFileFormat.Jsonl);
                Assert.Equal(expectedRows.Count, rows.Count);
                for (var i = 0; i < rows.Count; i++)
                {
                    Assert.True(JsonNode.DeepEquals(expectedRows[i], rows[i]), $"row {i}:\n{expectedRows[i]}\n{rows[i]}");
                }

                Assert.Equal(expectedSummary with { ExternalCap = 0, ImplicitCap = null, RouteThreshold = 0, MeanChosenReward = 0, MeanRejectedReward = 0 },
                    summary with { ExternalCap = 0, ImplicitCap = null, RouteThreshold = 0, MeanChosenReward = 0, MeanRejectedReward = 0 });
                Assert.Equal(expectedSummary.ExternalCap, summary.ExternalCap, 12);
                Assert.Equal(expectedSummary.MeanChosenReward, summary.MeanChosenReward, 9);
            },
            iter: 150);
    }

    [Fact]
    public async Task TheStreamingImplicitMarginIsTheDocumentedFormula()
    {
        // m_imp = β·{[logπθ(y_w) − logπθ(y_l)] − [logπref(y_w) − logπref(y_l)]} = 0.1·[(−10 + 14) − (−12 + 13)] = 0.3 (by hand).
        ScoredPrompt[] prompts =
        [
            new("a", PromptText.FromText("prompt a"),
            [
                new ScoredResponse("w", 3, ImplicitReward: Margin.ImplicitReward(0.1, -10, -12)),
                new ScoredResponse("l", 1, ImplicitReward: Margin.ImplicitReward(0.1, -14, -13)),
            ]),
        ];
        var (rows, _) = await StreamAsync(prompts, new SelectOptions { Dataset = new DatasetSelectionOptions { ImplicitCap = 1, ExternalCap = 2 } }, PairFileFormat.Jsonl);
        Assert.Equal(0.3, Assert.Single(rows)["implicit_margin"]!.GetValue<double>(), 12);
    }

    [Fact]
    public async Task ParquetOutputHoldsTheSameRowsAsJsonl()
    {
        await Gen.Select(Prompts, Options).SampleAsync(
            async (prompts, options) =>
            {
                using var dir = new TempFolder();
                var input = dir.File("in.jsonl");
                await ScoredPromptWriter.WriteAsync(input, prompts);
                var conversational = prompts.Any(p => p.Prompt.IsConversational);
                var output = new PairOutput { Conversational = conversational };
                await StreamingPairSelector.SelectFileAsync(input, new ScoredReadOptions(), options, dir.File("a.jsonl"), output);
                await StreamingPairSelector.SelectFileAsync(input, new ScoredReadOptions(), options, dir.File("a.parquet"), output with { Format = PairFileFormat.Parquet });
                var fromJsonl = await PairRowReader.ReadAllAsync(dir.File("a.jsonl"));
                var fromParquet = await PairRowReader.ReadAllAsync(dir.File("a.parquet"));
                Assert.Equal(fromJsonl.Select(Describe), fromParquet.Select(Describe));
            },
            iter: 25,
            threads: 1);
    }

    [Fact]
    public async Task ReadingAParquetInputGivesTheSamePairsAsItsJsonl()
    {
        using var dir = new TempFolder();
        var prompts = Enumerable.Range(0, 30).Select(i => Prompt(i, true, [.. Enumerable.Range(0, 3 + (i % 5)).Select(j => (i * 7 + (j * 3)) % 6)], null)).ToArray();
        await ScoredPromptWriter.WriteAsync(dir.File("in.jsonl"), prompts);
        await ScoredParquetWriter.WriteAsync(dir.File("in.parquet"), () => ScoredPromptReader.ReadAsync(dir.File("in.jsonl")));
        Assert.Equal("PAR1"u8.ToArray(), File.ReadAllBytes(dir.File("in.parquet"))[..4]);
        var options = new SelectOptions { Dataset = new DatasetSelectionOptions { RouteSmallMargins = true } };
        var fromJsonl = await StreamingPairSelector.SelectFileAsync(dir.File("in.jsonl"), new ScoredReadOptions(), options, dir.File("a.jsonl"), new PairOutput { Conversational = true });
        var fromParquet = await StreamingPairSelector.SelectFileAsync(dir.File("in.parquet"), new ScoredReadOptions(), options, dir.File("b.jsonl"), new PairOutput { Conversational = true });
        Assert.Equal(fromJsonl, fromParquet);
        Assert.Equal(
            File.ReadAllLines(dir.File("a.jsonl")).Select(l => JsonNode.Parse(l)!.ToJsonString()),
            File.ReadAllLines(dir.File("b.jsonl")).Select(l => JsonNode.Parse(l)!.ToJsonString()));
    }

    [Fact]
    public async Task ReadersYieldTheFirstRowLongBeforeTheEndOfTheFile()
    {
        var input = new GeneratedRows(200_000, completions: 4, responseWords: 20);
        await using var rows = await Rows.DatasetRows.OpenAsync(input, "big.jsonl");
        await foreach (var chunk in rows.ReadChunksAsync())
        {
            using (chunk)
            {
                Assert.True(chunk.Count > 0);
                Assert.True(input.Position < 4 << 20, $"read {input.Position} bytes before the first rows"); // of about 250 MB
                break;
            }
        }
    }

    [Fact]
    public async Task RepeatedIdsInScoredFilesNameBothLines()
    {
        using var dir = new TempFolder();
        var row = """{"prompt_id":"same","prompt":"p","responses":[{"text":"a","reward":1},{"text":"b","reward":0}]}""";
        var other = """{"prompt_id":"other","prompt":"p","responses":[{"text":"a","reward":1},{"text":"b","reward":0}]}""";
        var path = dir.Write("dup.jsonl", row + "\n" + other + "\n\n" + row + "\n");
        var error = await Assert.ThrowsAsync<DataFormatException>(() => StreamingPairSelector.SelectFileAsync(path, new ScoredReadOptions(), new SelectOptions(), dir.File("o.jsonl"), new PairOutput()));
        Assert.Equal((4, "prompt_id"), (error.Line, error.Field));
        Assert.Contains("'same' repeats the prompt of line 1", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("o.jsonl")));
    }

    [Fact]
    public async Task ARepeatedIdIsReportedBeforeAFaultyRowAfterIt()
    {
        // Repeats are found after the rows for the position strategies; an error later in the file must still lose to
        // the repeat before it, as when each id was looked up at once. 20,000 rows put the faulty one chunks later.
        using var dir = new TempFolder();
        var rows = new StringBuilder();
        rows.Append("{\"prompt_id\":\"same\",\"prompt\":\"p\",\"responses\":[{\"text\":\"a\",\"reward\":1},{\"text\":\"b\",\"reward\":0}]}\n");
        rows.Append("{\"prompt_id\":\"same\",\"prompt\":\"p\",\"responses\":[{\"text\":\"a\",\"reward\":1},{\"text\":\"b\",\"reward\":0}]}\n");
        for (var i = 0; i < 20_000; i++)
        {
            rows.Append("{\"prompt_id\":\"p").Append(i).Append("\",\"prompt\":\"a question long enough to fill chunks\",\"responses\":[{\"text\":\"an answer\",\"reward\":1},{\"text\":\"another answer\",\"reward\":0}]}\n");
        }

        rows.Append("{\"prompt_id\": oops\n");
        var path = dir.Write("late-error.jsonl", rows.ToString());
        Assert.True(new FileInfo(path).Length > 2 << 20); // blocks are 1 MB
        foreach (var strategy in new[] { StrategyNames.SweetSpot, StrategyNames.MaxMin, StrategyNames.Random })
        {
            var options = new SelectOptions { Strategy = new PairStrategyOptions { Name = strategy } };
            var error = await Assert.ThrowsAsync<DataFormatException>(() => StreamingPairSelector.SelectFileAsync(path, new ScoredReadOptions(), options, dir.File("o.jsonl"), new PairOutput()));
            Assert.Equal((2, "prompt_id"), (error.Line, error.Field));
            Assert.Contains("'same' repeats the prompt of line 1", error.Message, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(dir.File("o.jsonl")));
    }

    [Fact]
    public async Task RepeatedPromptsOfPublicDatasetsKeepApartByTheirLine()
    {
        using var dir = new TempFolder();
        var row = """{"instruction":"Name a prime.","completions":[{"response":"7","fine-grained_score":4.5},{"response":"9","fine-grained_score":1.25}]}""";
        var path = dir.Write("uf.jsonl", row + "\n" + row + "\n");
        await StreamingPairSelector.SelectFileAsync(path, new ScoredReadOptions(), new SelectOptions(), dir.File("o.jsonl"), new PairOutput());
        var ids = File.ReadAllLines(dir.File("o.jsonl")).Select(l => JsonNode.Parse(l)!["prompt_id"]!.GetValue<string>()).ToArray();
        var hash = ScoredPromptReader.IdFor(PromptText.FromText("Name a prime."));
        Assert.Equal([hash, hash + "-L2"], ids);
    }

    [Fact]
    public async Task RepeatedPromptsAreRenamedAsTheInMemoryReaderRenamesThem()
    {
        // UltraFeedback rows from five instructions: most repeat. The position strategies find repeats after the stream
        // and rename them in the spill; the random ones as they come (their draws follow the new id). Either way the
        // rows must be the in-memory reader's (which renames as it reads) through the in-memory selector.
        var rows = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 6].Array[2, 8]).Array[1, 60];
        await Gen.Select(rows, Options).SampleAsync(
            async (prompts, options) =>
            {
                using var dir = new TempFolder();
                var path = dir.Write("uf.jsonl", string.Concat(prompts.Select(p =>
                    $$"""{"instruction":"Question {{p.Item1}}?","completions":[{{string.Join(",", p.Item2.Select((score, j) => $$"""{"response":"answer {{j}}","fine-grained_score":{{score}}}"""))}}]}""" + "\n")));
                var (expectedRows, _) = Expected([.. await ScoredPromptReader.ReadAllAsync(path)], options);
                await StreamingPairSelector.SelectFileAsync(path, new ScoredReadOptions(), options, dir.File("pairs.jsonl"), new PairOutput());
                var streamed = File.ReadAllLines(dir.File("pairs.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
                Assert.Equal(expectedRows.Count, streamed.Count);
                for (var i = 0; i < streamed.Count; i++)
                {
                    Assert.True(JsonNode.DeepEquals(expectedRows[i], streamed[i]), $"row {i}:\n{expectedRows[i]}\n{streamed[i]}");
                }
            },
            iter: 100);
    }

    [Fact]
    public async Task RepeatedIdsInScoredParquetFilesNameBothRows()
    {
        using var dir = new TempFolder();
        var path = dir.File("dup.parquet");
        static ScoredPrompt Row(string id) => new(id, PromptText.FromText("p"), [new ScoredResponse("a", 1), new ScoredResponse("b", 0)]);
        await ScoredParquetWriter.WriteAsync(path, () => new[] { Row("same"), Row("other"), Row("same") }.ToAsyncEnumerable());
        var error = await Assert.ThrowsAsync<DataFormatException>(() => StreamingPairSelector.SelectFileAsync(path, new ScoredReadOptions(), new SelectOptions(), dir.File("o.jsonl"), new PairOutput()));
        Assert.Contains("row 2 (row group 0, row 2)", error.Message, StringComparison.Ordinal);
        Assert.Contains("'same' repeats the prompt of row 0 (row group 0, row 0)", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("o.jsonl")));
    }

    [Fact]
    public async Task TextsThatAreNotUtf8AreRefusedWithTheirField()
    {
        using var dir = new TempFolder();
        var bytes = Encoding.UTF8.GetBytes("""{"prompt":"p","responses":[{"text":"ok","reward":1},{"text":"X","reward":0}]}""" + "\n");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xC3; // a lead byte with no continuation
        var path = dir.File("bad.jsonl");
        await File.WriteAllBytesAsync(path, bytes);
        var error = await Assert.ThrowsAsync<DataFormatException>(() => StreamingPairSelector.SelectFileAsync(path, new ScoredReadOptions(), new SelectOptions(), dir.File("o.jsonl"), new PairOutput()));
        Assert.Equal((1, "responses[1]"), (error.Line, error.Field));
        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    private static ScoredPrompt Prompt(int i, bool conversational, int[] rewards, int[]? implicits) => new(
        $"p{i}",
        conversational ? PromptText.FromMessages([new ChatMessage("system", "be brief"), new ChatMessage("user", $"q{i} \"quoted\" ü")]) : PromptText.FromText($"q{i}\nline"),
        [.. rewards.Select((v, j) => new ScoredResponse($"r{j} of p{i} ✓", v / 2.0, ImplicitReward: implicits is null ? null : implicits[j] / 4.0))]);

    private static string Describe(PairRow r) =>
        $"{r.PromptId}|{(r.Prompt.IsConversational ? string.Join("/", r.Prompt.Messages!.Select(m => m.Role + ":" + m.Content)) : r.Prompt.Text)}|{r.Chosen}|{r.Rejected}|{r.ScoreChosen}|{r.ScoreRejected}|{r.Margin}|{r.Route}|{r.Strategy}|{r.ChosenPosition}|{r.RejectedPosition}|{r.ChosenIndex}|{r.RejectedIndex}|{r.Fallback}|{r.ImplicitMargin}|{r.ProbabilityExternal}|{r.ProbabilityImplicit}|{r.Probability}";

    private static (List<JsonNode> Rows, SelectionSummary Summary) Expected(ScoredPrompt[] prompts, SelectOptions options)
    {
        var outcome = DatasetPairSelector.Select(prompts, options);
        using var stream = new MemoryStream();
        PairRowWriter.WriteAsync(stream, outcome.Rows).GetAwaiter().GetResult();
        return (Lines(stream), outcome.Summary);
    }

    private static async Task<(List<JsonNode> Rows, SelectionSummary Summary)> StreamAsync(ScoredPrompt[] prompts, SelectOptions options, PairFileFormat format)
    {
        using var input = new MemoryStream();
        await ScoredPromptWriter.WriteAsync(input, prompts);
        input.Position = 0;
        using var output = new MemoryStream();
        var summary = await StreamingPairSelector.SelectAsync(input, "in.jsonl", new ScoredReadOptions(), options, output, new PairOutput { Format = format });
        return (Lines(output), summary);
    }

    private static List<JsonNode> Lines(MemoryStream stream) =>
        [.. Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)];
}

/// <summary>Counts the lines written to it and keeps nothing.</summary>
internal sealed class CountingStream : Stream
{
    public int Lines { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => 0;

    public override long Position { get; set; }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Lines += buffer.AsSpan(offset, count).Count((byte)'\n');

    public override void Write(ReadOnlySpan<byte> buffer) => Lines += buffer.Count((byte)'\n');

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// UltraFeedback-shaped JSONL produced as it is read (nothing kept), recording the live managed heap every 16 MB —
/// the memory a streaming reader holds while the data flows through it.
/// </summary>
internal sealed class GeneratedRows(int prompts, int completions, int responseWords) : Stream
{
    private const long Probe = 16L << 20;
    private readonly byte[] _pending = new byte[1 << 20];
    private int _start;
    private int _end;
    private int _row;
    private long _nextProbe = Probe;

    public long PeakLiveHeap { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get; set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_start == _end && !Fill())
        {
            return 0;
        }

        var n = Math.Min(buffer.Length, _end - _start);
        _pending.AsSpan(_start, n).CopyTo(buffer);
        _start += n;
        Position += n;
        if (Position >= _nextProbe)
        {
            _nextProbe += Probe;
            PeakLiveHeap = Math.Max(PeakLiveHeap, GC.GetTotalMemory(forceFullCollection: true));
        }

        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private bool Fill()
    {
        if (_row >= prompts)
        {
            return false;
        }

        var text = new StringBuilder();
        text.Append("{\"source\":\"gen\",\"instruction\":\"Question ").Append(_row).Append(" about sorting numbers\",\"completions\":[");
        for (var c = 0; c < completions; c++)
        {
            text.Append(c == 0 ? "{" : ",{").Append("\"model\":\"m").Append(c).Append("\",\"response\":\"");
            for (var w = 0; w < responseWords; w++)
            {
                text.Append("word").Append((_row + (c * 7) + w) % 97).Append(' ');
            }

            var score = ((_row * 31) + (c * 17)) % 9 / 2.0;
            text.Append("\",\"fine-grained_score\":").Append(score.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('}');
        }

        text.Append("]}\n");
        _start = 0;
        _end = Encoding.UTF8.GetBytes(text.ToString(), _pending);
        _row++;
        return true;
    }
}

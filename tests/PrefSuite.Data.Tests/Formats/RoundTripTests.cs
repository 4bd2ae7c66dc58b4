using System.Text.Json;
using CsCheck;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Tests.Formats;

/// <summary>Every writer's output read back by PrefSuite's readers gives what was written, over random rows.</summary>
public class RoundTripTests
{
    private static readonly Gen<string> Texts = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 0, 20],
        Gen.String[Gen.Char, 1, 30].Where(s => !s.Any(char.IsSurrogate)),
        Gen.OneOf(Gen.Const("say \"hi\"\n\tnow"), Gen.Const("naïve 東京 ✓"), Gen.Const("C:\\path"), Gen.Const("")));

    private static readonly Gen<double?> Floats = Gen.OneOf(Gen.Double[-1e6, 1e6].Select(d => (double?)d), Gen.Int[-5, 10].Select(i => (double?)i), Gen.Const((double?)null));

    private static Gen<PromptText> Prompts(bool conversational) => conversational
        ? Gen.Select(Gen.OneOf(Gen.Const("system"), Gen.Const("user"), Gen.Const("assistant")), Texts).Array[1, 4].Select(m => PromptText.FromMessages([.. m.Select(x => new ChatMessage(x.Item1, x.Item2))]))
        : Texts.Select(PromptText.FromText);

    private static Gen<PairRow[]> Pairs(bool conversational) =>
        Gen.Select(Gen.Select(Prompts(conversational), Texts, Texts, Gen.Double[-10, 10], Gen.Double[-10, 10], Gen.Int[0, 3]), Gen.Select(Floats, Floats, Floats, Gen.Int[-1, 20], Gen.OneOf(Gen.Const((bool?)null), Gen.Bool.Select(b => (bool?)b))))
            .Select((a, b) => new PairRow
            {
                PromptId = a.Item6 == 0 ? null : $"id-{a.Item6}",
                Prompt = a.Item1,
                Chosen = a.Item2,
                Rejected = a.Item3,
                ScoreChosen = a.Item4,
                ScoreRejected = a.Item5,
                Margin = a.Item4 - a.Item5,
                Route = a.Item6 == 1 ? "sft" : "dpo",
                Strategy = a.Item6 == 2 ? null : "sweet-spot",
                ChosenPosition = "max",
                RejectedPosition = a.Item6 == 3 ? null : "mu-2sigma",
                ChosenIndex = b.Item4 < 0 ? null : b.Item4,
                RejectedIndex = b.Item4 < 0 ? null : b.Item4 + 1,
                ImplicitMargin = b.Item1,
                ProbabilityExternal = b.Item2 is { } p ? Math.Abs(p) / (1 + Math.Abs(p)) : null,
                Probability = b.Item3,
                Goal = b.Item1,
                Swapped = b.Item5,
            })
            .Array[0, 30];

    [Fact]
    public async Task PairRowsSurviveJsonlAndParquet()
    {
        await Gen.Select(Gen.Bool.SelectMany(Pairs), Gen.Bool).SampleAsync(
            async (rows, parquet) =>
            {
                using var dir = new TempFolder();
                var path = dir.File(parquet ? "p.parquet" : "p.jsonl");
                if (parquet)
                {
                    await PairParquetWriter.WriteAsync(path, rows.ToAsyncEnumerable());
                }
                else
                {
                    await PairRowWriter.WriteAsync(path, rows);
                }

                var read = await PairRowReader.ReadAllAsync(path);
                Assert.Equal(rows.Select(Describe), read.Select(Describe));
            },
            iter: 60,
            threads: 1);
    }

    [Fact]
    public async Task ScoredPromptsSurviveJsonlAndParquet()
    {
        var responses = Gen.Select(Texts, Gen.Double[-100, 100], Gen.Int[0, 3], Floats, Floats, Floats)
            .Select((text, reward, heads, implicitReward, logprob, denoised) => new ScoredResponse(
                text, reward, heads == 0 ? null : Enumerable.Range(0, heads).ToDictionary(h => $"head{h}", h => reward / (h + 1)), implicitReward, logprob, denoised));
        var prompts = Gen.Bool.SelectMany(conversational => Gen.Select(Prompts(conversational), responses.Array[1, 6]).Array[1, 20])
            .Select(rows => rows.Select((r, i) => new ScoredPrompt($"p{i}", r.Item1, r.Item2)).ToArray());
        await Gen.Select(prompts, Gen.Bool).SampleAsync(
            async (rows, parquet) =>
            {
                using var dir = new TempFolder();
                var path = dir.File(parquet ? "s.parquet" : "s.jsonl");
                if (parquet)
                {
                    await ScoredParquetWriter.WriteAsync(path, rows.ToAsyncEnumerable);
                }
                else
                {
                    await ScoredPromptWriter.WriteAsync(path, rows);
                }

                var read = await ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions { Format = InputFormat.Scored, Strict = true });
                Assert.Equal(rows.Select(Describe), read.Select(Describe));
            },
            iter: 60,
            threads: 1);
    }

    [Fact]
    public async Task ScoresAreAlwaysWrittenAsFloats()
    {
        // Arrow (and so Hugging Face datasets) infers an integer column from 4 and 1, then fails on a later 4.5.
        using var stream = new MemoryStream();
        await PairRowWriter.WriteAsync(stream, [new PairRow { Prompt = PromptText.FromText("p"), Chosen = "a", Rejected = "b", ScoreChosen = 4, ScoreRejected = -1, Goal = 1e21 }]);
        var line = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("\"score_chosen\":4.0,\"score_rejected\":-1.0,\"score_margin\":5.0,", line, StringComparison.Ordinal);
        Assert.Contains("\"goal\":1E+21", line, StringComparison.Ordinal);
        Assert.Contains("\"implicit_margin\":null", line, StringComparison.Ordinal);
        Gen.Double.Where(double.IsFinite).Sample(value =>
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                JsonFloat.WriteValue(writer, value);
            }

            var text = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
            Assert.True(text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal), text);
            Assert.Equal(value, JsonDocument.Parse(text).RootElement.GetDouble());
        });
    }

    [Fact]
    public async Task TrlExportsSplitPairsByRouteAndLabelUnpairedRows()
    {
        using var dir = new TempFolder();
        var pairs = dir.Write("pairs.jsonl", string.Join("\n",
            """{"prompt":"p1","chosen":"good","rejected":"bad","score_chosen":5,"score_rejected":1,"route":"dpo","margin":9}""",
            """{"prompt":[{"role":"user","content":"p2"}],"chosen":[{"role":"assistant","content":"fine"}],"rejected":[{"role":"assistant","content":"meh"}],"route":"sft"}""",
            """{"prompt":"p3","chosen":"yes","rejected":"no"}""") + "\n");
        var notes = new FieldNotes();
        async Task<string[]> Export(TrlDataset kind, bool conversational)
        {
            var path = dir.File($"{kind}-{conversational}.jsonl");
            await TrlExport.WriteAsync(path, PairRowReader.ReadAsync(pairs, new PairReadOptions { RequireScores = false, Notes = notes }), kind, PairFileFormat.Jsonl, conversational);
            return File.ReadAllLines(path);
        }

        Assert.Equal(["""{"prompt":[{"role":"user","content":"p2"}],"completion":[{"role":"assistant","content":"fine"}]}"""], await Export(TrlDataset.Sft, conversational: false));
        Assert.Equal(
            [
                """{"prompt":"p1","completion":"good","label":true}""",
                """{"prompt":"p1","completion":"bad","label":false}""",
                """{"prompt":[{"role":"user","content":"p2"}],"completion":[{"role":"assistant","content":"fine"}],"label":true}""",
                """{"prompt":[{"role":"user","content":"p2"}],"completion":[{"role":"assistant","content":"meh"}],"label":false}""",
                """{"prompt":"p3","completion":"yes","label":true}""",
                """{"prompt":"p3","completion":"no","label":false}""",
            ],
            await Export(TrlDataset.Kto, conversational: false));
        var dpo = (await Export(TrlDataset.Dpo, conversational: true)).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["p1", "p3"], dpo.Select(r => r.GetProperty("prompt")[0].GetProperty("content").GetString()));
        Assert.Equal(JsonValueKind.Null, dpo[1].GetProperty("score_chosen").ValueKind); // unscored rows keep a null score, not a made-up one
        Assert.Equal("margin", Assert.Single(notes.Ignored).Field); // TRL's RewardTrainer column: read by nobody here
    }

    private static string Describe(PairRow r) =>
        $"{r.PromptId}|{Describe(r.Prompt)}|{r.Chosen}|{r.Rejected}|{r.ScoreChosen:R}|{r.ScoreRejected:R}|{r.Margin:R}|{r.Route}|{r.Strategy}|{r.ChosenPosition}|{r.RejectedPosition}|{r.ChosenIndex}|{r.RejectedIndex}|{r.Fallback}|{r.ImplicitMargin:R}|{r.ProbabilityExternal:R}|{r.ProbabilityImplicit:R}|{r.Probability:R}|{r.Goal:R}|{r.Swapped}";

    private static string Describe(ScoredPrompt p) =>
        $"{p.PromptId}|{Describe(p.Prompt)}|" + string.Join(";", p.Responses.Select(r =>
            $"{r.Text},{r.Reward:R},{r.ImplicitReward:R},{r.Logprob:R},{r.DenoisedReward:R},{string.Join("+", (r.Rewards ?? new Dictionary<string, double>()).OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}={h.Value:R}"))}"));

    private static string Describe(PromptText prompt) => prompt.Text ?? "[" + string.Join("/", prompt.Messages!.Select(m => $"{m.Role}:{m.Content}")) + "]";
}

internal static class AsyncEnumerableExtensions
{
    public static async IAsyncEnumerable<T> ToAsyncEnumerable<T>(this IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            yield return item;
        }

        await Task.CompletedTask;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Margins;

namespace PrefSuite.Data.Tests.Parquet;

/// <summary>Parquet checked against implementations other than Parquet.Net: hyparquet reads PrefSuite's files, DuckDB writes files PrefSuite reads.</summary>
public class ParquetInteropTests
{
    private const string Scored = """
        {"prompt_id":"a","prompt":"Sort 3 1 2.","responses":[{"text":"1 2 3","reward":0.9,"rewards":{"help":1.0,"honest":0.8},"logprob":-3.5},{"text":"3 2 1","reward":0.1,"rewards":{"help":0.0}},{"text":"1 3 2","reward":0.5,"implicit_reward":0.25}]}
        {"prompt_id":"b","prompt":"Say \"hi\" — ü.","responses":[{"text":"hi","reward":4},{"text":"no","reward":1,"denoised_reward":1.5},{"text":"hey","reward":3}]}
        {"prompt_id":"c","prompt":"Name a prime.","responses":[{"text":"7","reward":2},{"text":"9","reward":0}]}
        """;

    [Fact]
    public async Task PairParquetReadByHyparquetHasEveryColumnAndTheJsonlValues()
    {
        using var dir = new TempFolder();
        var input = dir.Write("scored.jsonl", Scored + "\n");
        var options = new SelectOptions { Dataset = new DatasetSelectionOptions { RouteSmallMargins = true, Aggregation = AggregationMethod.Bayes } };
        await StreamingPairSelector.SelectFileAsync(input, new ScoredReadOptions(), options, dir.File("pairs.jsonl"), new PairOutput());
        await StreamingPairSelector.SelectFileAsync(input, new ScoredReadOptions(), options, dir.File("pairs.parquet"), new PairOutput { Format = PairFileFormat.Parquet });

        var parquet = await NodeParquet.ReadAsync(dir.File("pairs.parquet"));
        var schema = parquet.GetProperty("schema").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        Assert.Equal(PairColumns.All, schema.Keys);
        Assert.All(schema.Values, c => Assert.Equal("OPTIONAL", c.GetProperty("repetition").GetString()));
        Assert.Equal(("BYTE_ARRAY", "DOUBLE", "INT32", "BOOLEAN"),
            (schema["prompt"].GetProperty("type").GetString(), schema["score_chosen"].GetProperty("type").GetString(), schema["chosen_index"].GetProperty("type").GetString(), schema["swapped"].GetProperty("type").GetString()));

        // Every column of every row equals the JSONL row (absent values are nulls in both).
        var rows = parquet.GetProperty("rows").EnumerateArray().ToArray();
        var lines = File.ReadAllLines(dir.File("pairs.jsonl"));
        Assert.Equal(3, rows.Length);
        Assert.Equal(lines.Length, rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            var expected = JsonNode.Parse(lines[i])!.AsObject();
            Assert.Equal(PairColumns.All, expected.Select(p => p.Key));
            Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(rows[i].GetRawText())), $"{expected}\n{rows[i]}");
        }

        Assert.Equal("b", rows[0].GetProperty("prompt_id").GetString()); // curriculum order: largest margin (3) first
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("goal").ValueKind);
    }

    [Fact]
    public async Task ConversationalPairsAreListsOfRoleContentStructs()
    {
        using var dir = new TempFolder();
        var input = dir.Write("scored.jsonl", """{"prompt_id":"m","prompt":[{"role":"system","content":"terse"},{"role":"user","content":"hi"}],"responses":[{"text":"hello","reward":1},{"text":"go away","reward":0}]}""" + "\n");
        await StreamingPairSelector.SelectFileAsync(input, new ScoredReadOptions(), new SelectOptions(), dir.File("pairs.parquet"), new PairOutput { Format = PairFileFormat.Parquet });
        var parquet = await NodeParquet.ReadAsync(dir.File("pairs.parquet"));
        var prompt = parquet.GetProperty("schema").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "prompt");
        Assert.Equal("LIST", prompt.GetProperty("logical").GetString());
        var element = prompt.GetProperty("children")[0].GetProperty("children")[0];
        Assert.Equal(["role", "content"], element.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        var row = parquet.GetProperty("rows")[0];
        Assert.Equal("""[{"role":"system","content":"terse"},{"role":"user","content":"hi"}]""", row.GetProperty("prompt").GetRawText());
        Assert.Equal("""[{"role":"assistant","content":"hello"}]""", row.GetProperty("chosen").GetRawText());
        Assert.Equal("""[{"role":"assistant","content":"go away"}]""", row.GetProperty("rejected").GetRawText());
    }

    [Fact]
    public async Task ScoredParquetKeepsEveryResponseFieldWithHeadsAsAStruct()
    {
        using var dir = new TempFolder();
        var input = dir.Write("scored.jsonl", Scored + "\n");
        await ScoredParquetWriter.WriteAsync(dir.File("samples.parquet"), () => ScoredPromptReader.ReadAsync(input));
        var parquet = await NodeParquet.ReadAsync(dir.File("samples.parquet"));
        var rows = parquet.GetProperty("rows");
        var first = rows[0].GetProperty("responses");
        Assert.Equal("""{"help":1,"honest":0.8}""", first[0].GetProperty("rewards").GetRawText());
        Assert.Equal("""{"help":0,"honest":null}""", first[1].GetProperty("rewards").GetRawText()); // a head the response lacks
        Assert.Equal(JsonValueKind.Null, first[2].GetProperty("rewards").ValueKind); // no heads at all
        Assert.Equal((-3.5, 0.25), (first[0].GetProperty("logprob").GetDouble(), first[2].GetProperty("implicit_reward").GetDouble()));
        Assert.Equal(1.5, rows[1].GetProperty("responses")[1].GetProperty("denoised_reward").GetDouble());
        Assert.Equal("Say \"hi\" — ü.", rows[1].GetProperty("prompt").GetString());

        // And PrefSuite reads its own Parquet back to the same prompts.
        var again = await ScoredPromptReader.ReadAllAsync(dir.File("samples.parquet"));
        var original = await ScoredPromptReader.ReadAllAsync(input);
        Assert.Equal(original.Select(Describe), again.Select(Describe));
    }

    [Fact]
    public async Task TrlSftAndKtoParquetHaveTrlsColumns()
    {
        using var dir = new TempFolder();
        var pairs = dir.Write("pairs.jsonl", string.Join("\n",
            """{"prompt":"p1","chosen":"good","rejected":"bad","score_chosen":5,"score_rejected":1,"route":"dpo"}""",
            """{"prompt":"p2","chosen":"fine","rejected":"meh","score_chosen":3,"score_rejected":2.5,"route":"sft"}""") + "\n");
        await TrlExport.WriteAsync(dir.File("sft.parquet"), PairRowReader.ReadAsync(pairs), TrlDataset.Sft, PairFileFormat.Parquet, conversational: true);
        await TrlExport.WriteAsync(dir.File("kto.parquet"), PairRowReader.ReadAsync(pairs), TrlDataset.Kto, PairFileFormat.Parquet, conversational: false);
        var sft = await NodeParquet.ReadAsync(dir.File("sft.parquet"));
        Assert.Equal("""[{"prompt":[{"role":"user","content":"p2"}],"completion":[{"role":"assistant","content":"fine"}]}]""", sft.GetProperty("rows").GetRawText());
        var kto = await NodeParquet.ReadAsync(dir.File("kto.parquet"));
        Assert.Equal(
            """[{"prompt":"p1","completion":"good","label":true},{"prompt":"p1","completion":"bad","label":false},{"prompt":"p2","completion":"fine","label":true},{"prompt":"p2","completion":"meh","label":false}]""",
            kto.GetProperty("rows").GetRawText());
    }

    [Fact]
    public async Task RowsWrittenByDuckDbAreReassembledAsHyparquetReadsThem()
    {
        // Lists with null elements, empty and null lists, nested structs, lists of lists, maps, several row groups.
        using var dir = new TempFolder();
        var path = dir.File("nested.parquet");
        await NodeParquet.WriteAsync(path, """
            SELECT i AS id,
              CASE WHEN i % 3 = 0 THEN NULL ELSE 'text ' || i END AS maybe,
              CASE WHEN i % 4 = 0 THEN [] WHEN i % 4 = 1 THEN NULL ELSE ['a', NULL, 'c' || i] END AS strings,
              [1.5, NULL, i * 0.25]::DOUBLE[] AS scores,
              [{'response': 'r' || i, 'score': i * 1.0, 'notes': {'rating': CASE WHEN i % 2 = 0 THEN NULL ELSE '5' END}}, NULL] AS completions,
              [[i, i + 1], [], NULL] AS nested,
              {'role': 'user', 'content': 'q' || i} AS message
            FROM range(5000) t(i)
            """, rowGroupSize: 2048);
        var oracle = await NodeParquet.ReadAsync(path);
        Assert.True(oracle.GetProperty("row_groups").GetInt32() >= 2, $"{oracle.GetProperty("row_groups")} row groups");
        var ours = new List<string>();
        await foreach (var (location, document) in JsonLines.ReadRowsAsync(path))
        {
            using (document)
            {
                Assert.True(location.IsParquet);
                ours.Add(document.RootElement.GetRawText());
            }
        }

        var expected = oracle.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, ours.Count);
        for (var i = 0; i < ours.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected[i].GetRawText()), JsonNode.Parse(ours[i])), $"row {i}:\n{expected[i]}\n{ours[i]}");
        }
    }

    [Fact]
    public async Task HubStyleParquetDatasetsAreReadInEveryLayout()
    {
        using var dir = new TempFolder();
        // openbmb/UltraFeedback: completions with aspect annotations (ratings as strings, "N/A" not a rating).
        await NodeParquet.WriteAsync(dir.File("uf.parquet"), """
            SELECT 'evol' AS source, 'Name a prime ' || i AS instruction, ['m1', 'm2'] AS models,
              [{'model': 'm1', 'response': 'seven', 'overall_score': 8.5::DOUBLE, 'fine-grained_score': 4.75::DOUBLE,
                'annotations': {'helpfulness': {'Rating': '5', 'Rationale': 'ok'}, 'honesty': {'Rating': '4', 'Rationale': NULL}}},
               {'model': 'm2', 'response': 'nine', 'overall_score': 2.0::DOUBLE, 'fine-grained_score': 1.5::DOUBLE,
                'annotations': {'helpfulness': {'Rating': '1', 'Rationale': 'no'}, 'honesty': {'Rating': 'N/A', 'Rationale': NULL}}}] AS completions
            FROM range(2) t(i)
            """);
        var uf = await ScoredPromptReader.ReadAllAsync(dir.File("uf.parquet"));
        Assert.Equal(["Name a prime 0", "Name a prime 1"], uf.Select(p => p.Prompt.Text));
        Assert.Equal([4.75, 1.5], uf[0].Responses.Select(r => r.Reward));
        Assert.Equal(new Dictionary<string, double> { ["helpfulness"] = 5, ["honesty"] = 4 }, uf[0].Responses[0].Rewards);
        Assert.Equal(new Dictionary<string, double> { ["helpfulness"] = 1 }, uf[0].Responses[1].Rewards);

        // distilabel: parallel generations and ratings, a failed rating (null) drops its generation.
        await NodeParquet.WriteAsync(dir.File("distilabel.parquet"), """
            SELECT 'Q' || i AS instruction, ['g1', 'g2', 'g3'] AS generations, [3.0, NULL, 5.0]::DOUBLE[] AS ratings,
                   ['because', 'n/a', 'best'] AS rationales
            FROM range(2) t(i)
            """);
        var notes = new FieldNotes();
        var distilabel = await ScoredPromptReader.ReadAllAsync(dir.File("distilabel.parquet"), new ScoredReadOptions { Notes = notes });
        Assert.Equal([("g1", 3.0), ("g3", 5.0)], distilabel[0].Responses.Select(r => (r.Text, r.Reward)));
        Assert.Equal(2, notes.UnratedResponses);

        // ultrafeedback_binarized: conversational chosen and rejected with the prompt repeated inside.
        await NodeParquet.WriteAsync(dir.File("binarized.parquet"), """
            SELECT 'Say hi' AS prompt, 'id' || i AS prompt_id,
              [{'content': 'Say hi', 'role': 'user'}, {'content': 'hi!', 'role': 'assistant'}] AS chosen,
              [{'content': 'Say hi', 'role': 'user'}, {'content': 'no', 'role': 'assistant'}] AS rejected,
              [{'content': 'Say hi', 'role': 'user'}, {'content': 'hi!', 'role': 'assistant'}] AS messages,
              9.0::DOUBLE AS score_chosen, 2.0::DOUBLE AS score_rejected
            FROM range(2) t(i)
            """);
        var binarized = await ScoredPromptReader.ReadAllAsync(dir.File("binarized.parquet"));
        Assert.Equal(["id0", "id1"], binarized.Select(p => p.PromptId));
        Assert.Equal([("hi!", 9.0), ("no", 2.0)], binarized[0].Responses.Select(r => (r.Text, r.Reward)));
    }

    [Fact]
    public async Task AMalformedParquetRowNamesItsRowGroupRowAndField()
    {
        using var dir = new TempFolder();
        await NodeParquet.WriteAsync(dir.File("bad.parquet"), """
            SELECT 'p' || i AS prompt_id, 'q' || i AS prompt,
              [{'text': 'a', 'reward': CASE WHEN i = 4100 THEN NULL ELSE 1.0 END}, {'text': 'b', 'reward': 0.0}] AS responses
            FROM range(5000) t(i)
            """, rowGroupSize: 2048);
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ScoredPromptReader.ReadAllAsync(dir.File("bad.parquet")));
        Assert.Equal("responses[0].reward", error.Field);
        var at = error.Location!.Value;
        Assert.Equal(4100L, at.Row);
        Assert.True(at.RowGroup >= 1, error.Message);
        Assert.Equal(4100L, at.RowInGroup + (2048L * at.RowGroup));
        Assert.Contains($"bad.parquet, row 4100 (row group {at.RowGroup}, row {at.RowInGroup}), field 'responses[0].reward': is missing", error.Message, StringComparison.Ordinal);
    }

    private static string Describe(ScoredPrompt p) =>
        $"{p.PromptId}|{p.Prompt.Text}|" + string.Join(";", p.Responses.Select(r =>
            $"{r.Text},{r.Reward},{r.ImplicitReward},{r.Logprob},{r.DenoisedReward},{string.Join("+", (r.Rewards ?? new Dictionary<string, double>()).OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}={h.Value}"))}"));
}

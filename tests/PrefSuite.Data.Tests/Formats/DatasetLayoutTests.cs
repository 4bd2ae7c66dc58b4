using PrefSuite.Data.Formats;

namespace PrefSuite.Data.Tests.Formats;

/// <summary>The layouts users have, each read to the prompts and scores it holds.</summary>
public class DatasetLayoutTests
{
    [Fact]
    public async Task DistilabelRowsDropFailedRatingsAndFailedGenerations()
    {
        using var dir = new TempFolder();
        var path = dir.Write("d.jsonl", """
            {"instruction":"Q1","generations":["a","b","c"],"ratings":[4,null,2],"rationales":["x","y","z"],"model_names":["m","n","o"]}
            {"instruction":"Q2","generations":["a",null],"ratings":[1,3]}
            """);
        var notes = new FieldNotes();
        var prompts = await ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions { Notes = notes });
        Assert.Equal([("a", 4.0), ("c", 2.0)], prompts[0].Responses.Select(r => (r.Text, r.Reward)));
        Assert.Equal([("a", 1.0)], prompts[1].Responses.Select(r => (r.Text, r.Reward)));
        Assert.Equal(2, notes.UnratedResponses);
        Assert.Empty(notes.Ignored); // rationales and model_names belong to the layout
    }

    [Fact]
    public async Task DistilabelRatingsThatDoNotMatchTheGenerationsAreAnError()
    {
        using var dir = new TempFolder();
        var path = dir.Write("d.jsonl", """{"instruction":"Q","generations":["a","b"],"ratings":[4]}""" + "\n");
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ScoredPromptReader.ReadAllAsync(path));
        Assert.Equal((1, "ratings"), (error.Line, error.Field));
        Assert.Contains("has 1 scores for 2 responses", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"prompt":"Say hi","chosen":"hi","rejected":"no","score_chosen":8,"score_rejected":3}""", "Say hi", false)]
    [InlineData("""{"prompt":[{"role":"user","content":"Say hi"}],"chosen":[{"role":"assistant","content":"hi"}],"rejected":[{"role":"assistant","content":"no"}],"score_chosen":8,"score_rejected":3}""", "user: Say hi", true)]
    [InlineData("""{"chosen":[{"role":"system","content":"terse"},{"role":"user","content":"Say hi"},{"role":"assistant","content":"hi"}],"rejected":[{"role":"system","content":"terse"},{"role":"user","content":"Say hi"},{"role":"assistant","content":"no"}],"score_chosen":8,"score_rejected":3}""", "system: terse|user: Say hi", true)]
    public async Task TrlPreferenceRowsInEveryFormBecomeTwoScoredResponses(string row, string prompt, bool conversational)
    {
        using var dir = new TempFolder();
        var path = dir.Write("p.jsonl", row + "\n");
        var read = Assert.Single(await ScoredPromptReader.ReadAllAsync(path));
        Assert.Equal(conversational, read.Prompt.IsConversational);
        Assert.Equal(prompt, read.Prompt.Text ?? string.Join("|", read.Prompt.Messages!.Select(m => $"{m.Role}: {m.Content}")));
        Assert.Equal([("hi", 8.0), ("no", 3.0)], read.Responses.Select(r => (r.Text, r.Reward)));
    }

    [Fact]
    public async Task PreferenceRowsWithoutScoresCannotBeSelectedButCanBeImportedUnscored()
    {
        using var dir = new TempFolder();
        var path = dir.Write("p.jsonl", """{"prompt":"Say hi","chosen":"hi","rejected":"no"}""" + "\n");
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ScoredPromptReader.ReadAllAsync(path));
        Assert.Equal("score_chosen", error.Field);
        var unscored = Assert.Single(await ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions { RequireRewards = false }));
        Assert.True(unscored.Responses.All(r => double.IsNaN(r.Reward)));
    }

    [Fact]
    public async Task ColumnMappingReadsAListOfStringsWithAParallelScoreList()
    {
        using var dir = new TempFolder();
        var path = dir.Write("m.jsonl", """{"question":"2+2?","answers":["4","5"],"grades":[1.0,0.0],"meta":{"x":1}}""" + "\n");
        var notes = new FieldNotes();
        var read = Assert.Single(await ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions
        {
            Mapping = new ColumnMapping { PromptKey = "question", ResponsesKey = "answers", ScoreKey = "grades" },
            Notes = notes,
        }));
        Assert.Equal("2+2?", read.Prompt.Text);
        Assert.Equal([("4", 1.0), ("5", 0.0)], read.Responses.Select(r => (r.Text, r.Reward)));
        Assert.Equal("meta", Assert.Single(notes.Ignored).Field);
    }

    [Fact]
    public async Task ColumnMappingReadsResponseObjectsWithTheirOwnFieldNames()
    {
        using var dir = new TempFolder();
        var path = dir.Write("m.jsonl", """{"id":"q7","query":"Capital of France?","outputs":[{"answer":"Paris","rm":2.5,"len":5},{"answer":"Lyon","rm":-1}]}""" + "\n");
        var read = Assert.Single(await ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions
        {
            Mapping = new ColumnMapping { PromptKey = "query", ResponsesKey = "outputs", TextKey = "answer", ScoreKey = "rm", IdKey = "id" },
        }));
        Assert.Equal("q7", read.PromptId);
        Assert.Equal([("Paris", 2.5), ("Lyon", -1.0)], read.Responses.Select(r => (r.Text, r.Reward)));

        var strict = await Assert.ThrowsAsync<DataFormatException>(() => ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions
        {
            Mapping = new ColumnMapping { PromptKey = "query", ResponsesKey = "outputs", TextKey = "answer", ScoreKey = "rm", IdKey = "id" },
            Strict = true,
        }));
        Assert.Equal("outputs[0].len", strict.Field);
    }

    [Fact]
    public async Task AMappedScoreKeyOverridesAKnownLayoutsScore()
    {
        using var dir = new TempFolder();
        var path = dir.Write("uf.jsonl", """{"instruction":"Q","completions":[{"response":"a","overall_score":9,"fine-grained_score":2},{"response":"b","overall_score":3,"fine-grained_score":4}]}""" + "\n");
        var read = Assert.Single(await ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions { Mapping = new ColumnMapping { ScoreKey = "overall_score" } }));
        Assert.Equal([9.0, 3.0], read.Responses.Select(r => r.Reward));
    }

    [Fact]
    public async Task AMissingResponsesColumnListsWhatTheRowHas()
    {
        using var dir = new TempFolder();
        var path = dir.Write("m.jsonl", """{"prompt":"p","answers":["a"]}""" + "\n");
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ScoredPromptReader.ReadAllAsync(path));
        Assert.Contains("cannot tell the format from its fields (prompt, answers)", error.Message, StringComparison.Ordinal);
        Assert.Contains("--responses-key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptOnlyRowsAreReadAsStringsOrConversations()
    {
        using var dir = new TempFolder();
        var path = dir.Write("prompts.jsonl", """
            {"prompt_id":"a","prompt":"sort 3 1 2 ="}
            {"prompt":[{"role":"system","content":"be terse"},{"role":"user","content":"sort 2 1 ="}],"source":"x"}

            {"prompt":"sort 3 1 2 ="}
            {"prompt":"sort 3 1 2 ="}
            """);
        var notes = new FieldNotes();
        var rows = await PromptReader.ReadAllAsync(path, new PromptReadOptions { Notes = notes });
        Assert.Equal("a", rows[0].PromptId);
        Assert.True(rows[1].Prompt.IsConversational);
        Assert.Equal(2, rows[1].Prompt.Messages!.Count);
        Assert.Equal(("source", 2L), (notes.Ignored.Single().Field, notes.Ignored.Single().FirstSeen.Line));
        // Same text, no id: the SHA-256 of the text, kept apart by the line of the repeat.
        Assert.Equal(rows[2].PromptId + "-L5", rows[3].PromptId);
        Assert.Equal(64, rows[2].PromptId.Length);
    }

    [Fact]
    public async Task PromptOnlyRowsTakeInstructionOrANamedColumn()
    {
        using var dir = new TempFolder();
        var uf = await PromptReader.ReadAllAsync(dir.Write("uf.jsonl", """{"instruction":"Name a prime.","completions":[]}""" + "\n"));
        Assert.Equal("Name a prime.", uf.Single().Prompt.Text);
        var mapped = await PromptReader.ReadAllAsync(dir.Write("q.jsonl", """{"question":"Why?","id":"q1"}""" + "\n"), new PromptReadOptions { PromptKey = "question", IdKey = "id" });
        Assert.Equal(("q1", "Why?"), (mapped.Single().PromptId, mapped.Single().Prompt.Text));
        var error = await Assert.ThrowsAsync<DataFormatException>(() => PromptReader.ReadAllAsync(dir.Write("x.jsonl", """{"question":"Why?"}""" + "\n")));
        Assert.Contains("--prompt-key", error.Message, StringComparison.Ordinal);
        var repeated = await Assert.ThrowsAsync<DataFormatException>(() => PromptReader.ReadAllAsync(dir.Write("r.jsonl", """{"prompt_id":"a","prompt":"x"}""" + "\n" + """{"prompt_id":"a","prompt":"y"}""" + "\n")));
        Assert.Equal((2, "prompt_id"), (repeated.Line, repeated.Field));
        Assert.Contains("repeats the prompt of line 1", repeated.Message, StringComparison.Ordinal);
    }
}

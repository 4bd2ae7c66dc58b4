using PrefSuite.Data.Formats;
using PrefSuite.Science.Scoring;

namespace PrefSuite.Data.Tests.Formats;

public class ScoredPromptReaderTests
{
    [Fact]
    public async Task ReadsPrefSuitesScoredFormatWithAllFields()
    {
        using var dir = new TempFolder();
        var path = dir.Write("s.jsonl", """
            {"prompt_id":"p1","prompt":"sort 2 1","responses":[{"text":"1 2","reward":0.9,"rewards":{"a":1,"b":0.8},"implicit_reward":0.3,"logprob":-4.5},{"text":"2 1","reward":0.1}]}

            {"prompt":[{"role":"user","content":"hi"}],"responses":[{"text":"x","reward":1},{"text":"y","reward":0}]}
            """);
        var prompts = await ScoredPromptReader.ReadAllAsync(path);

        Assert.Equal(2, prompts.Count);
        var first = prompts[0];
        Assert.Equal(("p1", "sort 2 1", 1), (first.PromptId, first.Prompt.Text, first.SourceLine));
        Assert.Equal(new ScoredResponse("1 2", 0.9, first.Responses[0].Rewards, 0.3, -4.5), first.Responses[0]);
        Assert.Equal(0.8, first.Responses[0].Rewards!["b"]);
        Assert.True(prompts[1].Prompt.IsConversational);
        Assert.Equal(3, prompts[1].SourceLine);
        Assert.Equal(64, prompts[1].PromptId.Length); // SHA-256 hex of the prompt
    }

    [Fact]
    public async Task HeadsAreCombinedWhenThereIsNoScalarReward()
    {
        using var dir = new TempFolder();
        var path = dir.Write("s.jsonl", """{"prompt":"p","responses":[{"text":"x","rewards":{"a":1,"b":3}},{"text":"y","rewards":{"a":0,"b":1}}]}""");
        var mean = await ScoredPromptReader.ReadAllAsync(path);
        Assert.Equal([2.0, 0.5], mean[0].Responses.Select(r => r.Reward));
        var weighted = await ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions { HeadWeights = HeadWeights.Parse("a=1,b=0.5") });
        Assert.Equal([2.5, 0.5], weighted[0].Responses.Select(r => r.Reward));
        var missingHead = await Assert.ThrowsAsync<DataFormatException>(() => ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions { HeadWeights = HeadWeights.Parse("c=1") }));
        Assert.Contains("no head 'c'", missingHead.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"prompt":"p","responses":[{"text":"x","reward":NaN}]}""", null, "not valid JSON")]
    [InlineData("""{"prompt":"p","responses":[{"text":"x","reward":"high"}]}""", "responses[0].reward", "must be a number, found a string")]
    [InlineData("""{"prompt":"p","responses":[{"text":"x","reward":"NaN"}]}""", "responses[0].reward", "NaN and infinities")]
    [InlineData("""{"prompt":"p","responses":[{"text":"x"}]}""", "responses[0].reward", "is missing")]
    [InlineData("""{"prompt":"p","responses":[]}""", "responses", "is empty")]
    [InlineData("""{"responses":[{"text":"x","reward":1}]}""", "prompt", "is missing")]
    [InlineData("""{"prompt":"p","respones":[]}""", "responses", "is missing (the row has 'respones', which this format does not use)")]
    [InlineData("""{"prompt":"p","responses":[{"text":"x","reward":1e400}]}""", "responses[0].reward", "not a finite number")]
    [InlineData("""[1,2]""", null, "expected a JSON object")]
    [InlineData("""{"prompt":42,"responses":[{"text":"x","reward":1}]}""", "prompt", "must be a string or a list of messages")]
    public async Task MalformedRowsNameTheLineAndTheField(string badLine, string? field, string problem)
    {
        using var dir = new TempFolder();
        var path = dir.Write("bad.jsonl", """{"prompt":"ok","responses":[{"text":"a","reward":1},{"text":"b","reward":0}]}""" + "\n" + badLine + "\n");
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ScoredPromptReader.ReadAllAsync(path));
        Assert.Equal(2, error.Line);
        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains("bad.jsonl, line 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"prompt":"p","responses":[{"text":"x","reward":1,"score":2}]}""", "responses[0].score")]
    [InlineData("""{"prompt":"p","respones":[],"responses":[{"text":"x","reward":1}]}""", "respones")]
    public async Task UnknownFieldsAreNotedByDefaultAndRefusedUnderStrict(string row, string field)
    {
        using var dir = new TempFolder();
        var path = dir.Write("extra.jsonl", """{"prompt":"ok","responses":[{"text":"a","reward":1},{"text":"b","reward":0}]}""" + "\n" + row + "\n");
        var notes = new FieldNotes();
        var prompts = await ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions { Format = InputFormat.Scored, Notes = notes });
        Assert.Equal(2, prompts.Count);
        var (ignored, at) = Assert.Single(notes.Ignored);
        Assert.Equal(field.Replace("[0]", "[]", StringComparison.Ordinal), ignored);
        Assert.Equal(2, at.Line);
        Assert.Contains("--strict refuses them", notes.Describe(path), StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<DataFormatException>(() => ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions { Format = InputFormat.Scored, Strict = true }));
        Assert.Equal((2, field), (error.Line, error.Field));
        Assert.Contains("is not a known field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnrecognisableFirstRowSaysWhichFieldsWereExpected()
    {
        using var dir = new TempFolder();
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ScoredPromptReader.ReadAllAsync(dir.Write("x.jsonl", """{"prompt":"p","respones":[]}""")));
        Assert.Contains("cannot tell the format", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedPromptIdsInScoredFilesAreAnError()
    {
        using var dir = new TempFolder();
        var row = """{"prompt_id":"same","prompt":"p","responses":[{"text":"a","reward":1}]}""";
        var path = dir.Write("dup.jsonl", row + "\n" + row + "\n");
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ScoredPromptReader.ReadAllAsync(path));
        Assert.Contains("repeats the prompt of line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadsOpenbmbUltraFeedbackRows()
    {
        using var dir = new TempFolder();
        var path = dir.Write("uf.jsonl", """
            {"source":"evol_instruct","instruction":"Name a prime.","models":["a","b"],"completions":[{"model":"a","response":"7","overall_score":8.5,"fine-grained_score":4.75,"annotations":{"helpfulness":{"Rating":"5","Rationale":"ok"},"honesty":{"Rating":"4"},"instruction_following":{"Rating":"5"},"truthfulness":{"Rating":"5"}},"critique":"good"},{"model":"b","response":"9","overall_score":3,"fine-grained_score":1.5,"annotations":{"helpfulness":{"Rating":"1"},"honesty":{"Rating":"N/A"}}}],"correct_answers":[],"incorrect_answers":[]}
            """);
        var prompts = await ScoredPromptReader.ReadAllAsync(path);
        var prompt = Assert.Single(prompts);
        Assert.Equal("Name a prime.", prompt.Prompt.Text);
        Assert.Equal([4.75, 1.5], prompt.Responses.Select(r => r.Reward));
        Assert.Equal(4, prompt.Responses[0].Rewards!.Count);
        Assert.Single(prompt.Responses[1].Rewards!); // "N/A" is not a rating

        var overall = await ScoredPromptReader.ReadAllAsync(path, new ScoredReadOptions { UltraFeedbackScore = UltraFeedbackScore.Overall });
        Assert.Equal([8.5, 3.0], overall[0].Responses.Select(r => r.Reward));
    }

    [Fact]
    public async Task ReadsUltraFeedbackBinarizedRows()
    {
        using var dir = new TempFolder();
        var path = dir.Write("ufb.jsonl", """
            {"prompt":"Name a prime.","prompt_id":"abc","chosen":[{"role":"user","content":"Name a prime."},{"role":"assistant","content":"7"}],"rejected":[{"role":"user","content":"Name a prime."},{"role":"assistant","content":"9"}],"messages":[],"score_chosen":9.0,"score_rejected":2.0}
            """);
        var prompt = Assert.Single(await ScoredPromptReader.ReadAllAsync(path));
        Assert.Equal("abc", prompt.PromptId);
        Assert.Equal([("7", 9.0), ("9", 2.0)], prompt.Responses.Select(r => (r.Text, r.Reward)));
    }
}

public class DemonstrationReaderTests
{
    [Fact]
    public async Task ReadsPromptResponseRowsAndRejectsOthers()
    {
        using var dir = new TempFolder();
        var rows = await DemonstrationReader.ReadAllAsync(dir.Write("c.jsonl", "{\"prompt\":\"sort 2 1 =\",\"response\":\"1 2\"}\n"));
        Assert.Equal(("sort 2 1 =", "1 2"), Assert.Single(rows));
        var error = await Assert.ThrowsAsync<DataFormatException>(() => DemonstrationReader.ReadAllAsync(dir.Write("d.jsonl", "{\"prompt\":\"p\",\"completion\":\"x\"}\n")));
        Assert.Equal("completion", error.Field);
    }
}

using System.Text.Json;
using PrefSuite.Cli.Runs;
using PrefSuite.Data.Formats;
using PrefSuite.Science.Margins;

namespace PrefSuite.Cli.Tests;

/// <summary>The commands over dataset files, as a new user runs them.</summary>
public class DatasetCommandsTests
{
    [Fact]
    public async Task TheStagesChainOnFilesFromAPromptsFileToTrlDatasets()
    {
        using var cli = new CliHarness();
        var runs = cli.PathOf("runs");
        var (trained, _, trainError) = await cli.RunAsync("train", "--runs-dir", runs, "--demo-sft", "--steps", "40", "--set-default");
        Assert.True(trained == 0, trainError);

        // The documented {"prompt_id", "prompt"} rows (which sample once refused: "field 'responses' is missing").
        var prompts = cli.Write("prompts.jsonl", """
            {"prompt_id":"a","prompt":"sort 3 1 2 ="}
            {"prompt_id":"b","prompt":"sort 9 0 4 4 ="}
            {"prompt_id":"c","prompt":"sort 5 6 1 0 2 ="}
            """);
        var (sampled, _, sampleError) = await cli.RunAsync("sample", "--runs-dir", runs, "--prompts-file", prompts, "-n", "6", "--max-new-tokens", "12", "-o", cli.PathOf("sampled.jsonl"));
        Assert.True(sampled == 0, sampleError);
        Assert.Equal(["a", "b", "c"], cli.Lines("sampled.jsonl").Select(l => JsonDocument.Parse(l).RootElement.GetProperty("prompt_id").GetString()));

        // Two scorers: each is a judge of every comparison, so denoising has something to reconcile.
        var (scored, _, scoreError) = await cli.RunAsync("score", "--runs-dir", runs, "-i", cli.PathOf("sampled.jsonl"), "-o", cli.PathOf("scored.jsonl"),
            "--scorer", "programmatic:sorting", "--scorer", "simulated:sorting?noise=0.3&seed=5");
        Assert.True(scored == 0, scoreError);
        var (denoised, _, denoiseError) = await cli.RunAsync("denoise", "-i", cli.PathOf("scored.jsonl"), "-o", cli.PathOf("denoised.jsonl"));
        Assert.True(denoised == 0, denoiseError);
        Assert.Contains("of 3 prompts", denoiseError, StringComparison.Ordinal);
        var denoisedRows = cli.Lines("denoised.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.All(denoisedRows.SelectMany(r => r.GetProperty("responses").EnumerateArray()), r =>
        {
            Assert.Equal(JsonValueKind.Number, r.GetProperty("denoised_reward").ValueKind);
            Assert.Equal(JsonValueKind.Number, r.GetProperty("reward").ValueKind); // the raw reward is kept
        });

        var (selected, _, selectError) = await cli.RunAsync("select", "-i", cli.PathOf("denoised.jsonl"), "-o", cli.PathOf("pairs.jsonl"), "--strategy", "max-min", "--route-small-margins", "--route-quantile", "0.5");
        Assert.True(selected == 0, selectError);
        var pairs = cli.Lines("pairs.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.NotEmpty(pairs);
        foreach (var pair in pairs)
        {
            // Selection used the denoised reward: the chosen is the response with the highest denoised reward.
            var responses = denoisedRows.Single(r => r.GetProperty("prompt_id").GetString() == pair.GetProperty("prompt_id").GetString()).GetProperty("responses").EnumerateArray().ToArray();
            var best = responses.Max(r => r.GetProperty("denoised_reward").GetDouble());
            Assert.Equal(best, pair.GetProperty("score_chosen").GetDouble());
            Assert.Equal(responses[pair.GetProperty("chosen_index").GetInt32()].GetProperty("text").GetString(), pair.GetProperty("chosen").GetString());
        }

        Assert.Equal(0, (await cli.RunAsync("export", "-i", cli.PathOf("pairs.jsonl"), "--what", "sft", "-o", cli.PathOf("sft.jsonl"))).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("export", "-i", cli.PathOf("pairs.jsonl"), "--what", "dpo", "-o", cli.PathOf("dpo.jsonl"))).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("export", "-i", cli.PathOf("pairs.jsonl"), "--what", "kto", "-o", cli.PathOf("kto.parquet"))).ExitCode);
        var sft = cli.Lines("sft.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var dpo = cli.Lines("dpo.jsonl");
        Assert.Equal(pairs.Count(p => p.GetProperty("route").GetString() == "sft"), sft.Length);
        Assert.Equal(pairs.Length, sft.Length + dpo.Length);
        Assert.All(sft, r => Assert.Equal(["prompt", "completion"], r.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(2 * pairs.Length, (await PairOrRowCountAsync(cli.PathOf("kto.parquet"))));
    }

    [Fact]
    public async Task SelectReadsParquetAndMappedColumnsAndNotesWhatItIgnored()
    {
        using var cli = new CliHarness();
        var input = cli.Write("answers.jsonl", """
            {"qid":"q1","question":"Capital of France?","answers":[{"answer":"Paris","rm":2.5,"tokens":3},{"answer":"Lyon","rm":-1,"tokens":3},{"answer":"Nice","rm":0.5,"tokens":3}],"split":"train"}
            {"qid":"q2","question":"2+2?","answers":[{"answer":"4","rm":3,"tokens":1},{"answer":"5","rm":0,"tokens":1},{"answer":"22","rm":-2,"tokens":1}],"split":"train"}
            """);
        string[] columns = ["--prompt-key", "question", "--responses-key", "answers", "--text-key", "answer", "--score-key", "rm", "--id-key", "qid"];
        var (code, _, error) = await cli.RunAsync(["select", "-i", input, "-o", cli.PathOf("pairs.parquet"), "--strategy", "max-min", .. columns]);
        Assert.True(code == 0, error);
        Assert.Contains("note: answers.jsonl: ignored fields this format does not use: answers[].tokens (line 1), split (line 1) (--strict refuses them)", error, StringComparison.Ordinal);
        var rows = await PairRowReader.ReadAllAsync(cli.PathOf("pairs.parquet"));
        Assert.Equal([("q1", "Paris", "Lyon", 3.5), ("q2", "4", "22", 5.0)], rows.Select(r => (r.PromptId, r.Chosen, r.Rejected, r.Margin!.Value)));

        var (strict, _, strictError) = await cli.RunAsync(["select", "-i", input, "-o", cli.PathOf("strict.jsonl"), "--strict", .. columns]);
        Assert.Equal(2, strict);
        Assert.Contains("answers.jsonl, line 1, field 'answers[0].tokens': is not a known field of the mapped format (--strict)", strictError, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.PathOf("strict.jsonl")));

        // The Parquet pairs are an input like any TRL preference dataset.
        var (again, _, againError) = await cli.RunAsync("select", "-i", cli.PathOf("pairs.parquet"), "-o", cli.PathOf("again.jsonl"), "--conversational");
        Assert.True(again == 0, againError);
        var row = JsonDocument.Parse(cli.Lines("again.jsonl")[0]).RootElement;
        Assert.Equal("""[{"role":"user","content":"Capital of France?"}]""", row.GetProperty("prompt").GetRawText());
        Assert.Equal("""[{"role":"assistant","content":"Paris"}]""", row.GetProperty("chosen").GetRawText());
        Assert.Equal(DatasetPairSelectorFallback, row.GetProperty("fallback").GetString()); // two responses per row: max/min
    }

    [Fact]
    public async Task ImportReadsDistilabelRowsAndWritesParquet()
    {
        using var cli = new CliHarness();
        var input = cli.Write("distilabel.jsonl", """
            {"instruction":"Q1","generations":["a","b","c"],"ratings":[4,null,2],"rationales":["x","y","z"]}
            {"instruction":"Q2","generations":["d","e"],"ratings":[1,3]}
            """);
        var (code, _, error) = await cli.RunAsync("import", "-i", input, "-o", cli.PathOf("scored.parquet"));
        Assert.True(code == 0, error);
        Assert.Contains("imported 2 prompts, 4 responses", error, StringComparison.Ordinal);
        Assert.Contains("skipped 1 responses without a rating", error, StringComparison.Ordinal);
        var prompts = await ScoredPromptReader.ReadAllAsync(cli.PathOf("scored.parquet"));
        Assert.Equal([("a", 4.0), ("c", 2.0)], prompts[0].Responses.Select(r => (r.Text, r.Reward)));
    }

    [Theory]
    [InlineData("run.yaml", "keep: 0.1\naggregate: bayes\n", 0.1, null)]
    [InlineData("run.yaml", "keep: 10%\n", 0.1, null)]
    [InlineData("run.yaml", "keep: 500\n", null, 500)]
    [InlineData("run.json", """{"keep": 0.25}""", 0.25, null)]
    [InlineData("run.json", """{"keep": "25%"}""", 0.25, null)]
    public void KeepInARunConfigIsAFractionOrACountWrittenEitherWay(string name, string content, double? fraction, int? count)
    {
        using var cli = new CliHarness();
        var config = RunConfig.Load(cli.Write(name, content));
        var keep = KeepRule.Parse(config.Keep!);
        Assert.Equal(fraction, keep.Fraction);
        Assert.Equal(count, keep.Count);
        var spec = config.ToSpec();
        Assert.Equal(fraction ?? 0, spec.Dataset.KeepFraction, 12);
        Assert.Equal(count ?? 0, spec.Dataset.KeepCount);
    }

    [Fact]
    public void RunPromptsFilesMayHoldConversations()
    {
        using var cli = new CliHarness();
        var prompts = cli.Write("prompts.jsonl", """
            {"prompt_id":"t","prompt":"sort 3 1 2 ="}
            {"prompt_id":"m","prompt":[{"role":"system","content":"Answer with digits."},{"role":"user","content":"sort 2 1 ="}]}
            """);
        var spec = new RunConfig { PromptsFile = prompts }.Validate().ToSpec();
        Assert.Equal(["t", "m"], spec.Prompts.Select(p => p.PromptId));
        Assert.Equal("sort 3 1 2 =", spec.Prompts[0].Text);
        Assert.Equal([("system", "Answer with digits."), ("user", "sort 2 1 =")], spec.Prompts[1].Messages.Select(m => (m.Role, m.Content)));
    }

    [Fact]
    public void AnEmptyPromptsFileIsRefusedNamingTheFile()
    {
        using var cli = new CliHarness();
        var prompts = cli.Write("empty.jsonl", string.Empty);
        var error = Assert.Throws<PrefSuite.Data.DataFormatException>(() => new RunConfig { PromptsFile = prompts }.Validate());
        Assert.Equal($"{prompts}: the file has no prompts", error.Message);
    }

    [Fact]
    public async Task TheExamplesInTheReadmeRun()
    {
        using var cli = new CliHarness();
        var examples = Path.Combine(RepositoryRoot(), "examples");
        var config = RunConfig.Load(Path.Combine(examples, "run.yaml"));
        Assert.Equal(("0.25", true), (config.Keep, config.RouteSmallMargins));

        var sample = Path.Combine(examples, "ultrafeedback-sample.jsonl");
        Assert.Equal(0, (await cli.RunAsync("import", "-i", sample, "-o", cli.PathOf("scored.jsonl"))).ExitCode);
        var (denoised, _, denoiseError) = await cli.RunAsync("denoise", "-i", cli.PathOf("scored.jsonl"), "-o", cli.PathOf("denoised.jsonl"));
        Assert.True(denoised == 0, denoiseError);
        Assert.Contains("denoised 12 of 12 prompts", denoiseError, StringComparison.Ordinal); // four aspect ratings: four judges
        var (selected, _, selectError) = await cli.RunAsync("select", "-i", cli.PathOf("denoised.jsonl"), "-o", cli.PathOf("pairs.jsonl"), "--route-small-margins");
        Assert.True(selected == 0, selectError);
        Assert.Contains("kept 12 (dpo 8, sft 4)", selectError, StringComparison.Ordinal);
        Assert.Equal(0, (await cli.RunAsync("export", "-i", cli.PathOf("pairs.jsonl"), "--what", "dpo", "-o", cli.PathOf("dpo.parquet"))).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("export", "-i", cli.PathOf("pairs.jsonl"), "--what", "sft", "-o", cli.PathOf("sft.parquet"))).ExitCode);
        Assert.Equal(8, await PairOrRowCountAsync(cli.PathOf("dpo.parquet")));
        Assert.Equal(4, await PairOrRowCountAsync(cli.PathOf("sft.parquet")));
    }

    private const string DatasetPairSelectorFallback = "fewer-than-3-responses";

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "PrefSuite.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("PrefSuite.sln not found above the test folder.");
    }

    private static async Task<int> PairOrRowCountAsync(string parquet)
    {
        var count = 0;
        await foreach (var (_, document) in JsonLines.ReadRowsAsync(parquet))
        {
            document.Dispose();
            count++;
        }

        return count;
    }
}

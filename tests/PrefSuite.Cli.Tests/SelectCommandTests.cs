using System.Text.Json;

namespace PrefSuite.Cli.Tests;

public class SelectCommandTests
{
    // One prompt of 16 rewards where μ − 2σ (−0.516) is nearest index 12 (0.34), not the outlier at index 15 (−1.4).
    private const string SweetSpotPrompt =
        """{"prompt_id":"p","prompt":"q","responses":[{"text":"r0","reward":0.47},{"text":"r1","reward":0.75},{"text":"r2","reward":0.65},{"text":"r3","reward":0.6},{"text":"r4","reward":0.76},{"text":"r5","reward":0.94},{"text":"r6","reward":0.68},{"text":"r7","reward":0.84},{"text":"r8","reward":0.92},{"text":"r9","reward":0.45},{"text":"r10","reward":0.52},{"text":"r11","reward":0.72},{"text":"r12","reward":0.34},{"text":"r13","reward":0.56},{"text":"r14","reward":0.79},{"text":"r15","reward":-1.4}]}""";

    [Fact]
    public async Task SweetSpotAndMaxMinDisagreeOnTheRejected()
    {
        using var cli = new CliHarness();
        var input = cli.Write("scored.jsonl", SweetSpotPrompt + "\n");

        var (code, _, error) = await cli.RunAsync("select", "--input", input, "--output", cli.PathOf("sweet.jsonl"));
        Assert.Equal(0, code);
        Assert.Contains("prompts 1 → candidate pairs 1 → kept 1", error, StringComparison.Ordinal);
        var sweet = JsonDocument.Parse(Assert.Single(cli.Lines("sweet.jsonl"))).RootElement;
        Assert.Equal("r5", sweet.GetProperty("chosen").GetString());
        Assert.Equal("r12", sweet.GetProperty("rejected").GetString());
        Assert.Equal(0.94 - 0.34, sweet.GetProperty("score_margin").GetDouble(), 12);
        Assert.False(sweet.TryGetProperty("margin", out _)); // TRL's RewardTrainer would subtract a "margin" column in its loss
        Assert.Equal("mu-2sigma", sweet.GetProperty("rejected_position").GetString());
        Assert.Equal("dpo", sweet.GetProperty("route").GetString());

        await cli.RunAsync("select", "-i", input, "-o", cli.PathOf("maxmin.jsonl"), "--strategy", "max-min");
        var maxMin = JsonDocument.Parse(Assert.Single(cli.Lines("maxmin.jsonl"))).RootElement;
        Assert.Equal("r15", maxMin.GetProperty("rejected").GetString());
        Assert.Equal(-1.4, maxMin.GetProperty("score_rejected").GetDouble());
    }

    [Fact]
    public async Task KeepsTheTopTenPercentByAggregatedProbability()
    {
        using var cli = new CliHarness();
        // Prompt i has external margin i/10 (prompt 0 is flat: no pair) and implicit margin 1.5 for even i, −1 for odd i.
        var rows = Enumerable.Range(0, 20).Select(i =>
            $$"""{"prompt_id":"p{{i}}","prompt":"q{{i}}","responses":[{"text":"w","reward":{{i / 10.0}},"implicit_reward":{{(i % 2 == 0 ? 1.5 : -1)}}},{"text":"l","reward":0,"implicit_reward":0}]}""");
        var input = cli.Write("scored.jsonl", string.Join("\n", rows) + "\n");

        var (code, _, error) = await cli.RunAsync("select", "-i", input, "-o", cli.PathOf("top.jsonl"), "--aggregate", "bayes", "--external-cap", "2", "--implicit-cap", "2");
        Assert.Equal(0, code);
        var kept = cli.Lines("top.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(2, kept.Length); // ⌈10% of 19 candidate pairs⌉
        // p_ext = (i/10 + 2)/4; p_imp = 0.875 for even i, 0.25 for odd i. Bayes: p18 0.9925, p16 0.9844, but p19 only
        // 0.9286: the largest external margin loses when the implicit reward disagrees.
        foreach (var row in kept)
        {
            var pExt = row.GetProperty("p_external").GetDouble();
            var pImp = row.GetProperty("p_implicit").GetDouble();
            Assert.Equal(pExt * pImp / ((pExt * pImp) + ((1 - pExt) * (1 - pImp))), row.GetProperty("probability").GetDouble(), 12);
        }

        Assert.Equal(["p16", "p18"], kept.Select(r => r.GetProperty("prompt_id").GetString()).Order());
        Assert.Contains("implicit cap 2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RoutesSmallMarginsToSftInCurriculumOrder()
    {
        using var cli = new CliHarness();
        var rows = new[] { 0.3, 0.9, 0.1, 0.6, 0.5, 0.2 }.Select((m, i) =>
            $$"""{"prompt_id":"p{{i}}","prompt":"q","responses":[{"text":"w","reward":{{m}}},{"text":"l","reward":0}]}""");
        var input = cli.Write("scored.jsonl", string.Join("\n", rows));
        var (code, _, _) = await cli.RunAsync("select", "-i", input, "-o", cli.PathOf("routed.jsonl"), "--route-small-margins");
        Assert.Equal(0, code);
        var output = cli.Lines("routed.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["p1", "p3", "p4", "p0", "p5", "p2"], output.Select(r => r.GetProperty("prompt_id").GetString()));
        Assert.Equal(["dpo", "dpo", "dpo", "dpo", "sft", "sft"], output.Select(r => r.GetProperty("route").GetString()));
    }

    [Fact]
    public async Task UltraFeedbackRowsBecomeTrlPairs()
    {
        using var cli = new CliHarness();
        var input = cli.Write("uf.jsonl", """
            {"instruction":"Name a prime.","completions":[{"response":"7","overall_score":8,"fine-grained_score":4.5},{"response":"9","overall_score":2,"fine-grained_score":1.25},{"response":"4","overall_score":3,"fine-grained_score":2},{"response":"11","overall_score":7,"fine-grained_score":4}]}
            """);
        var (code, _, _) = await cli.RunAsync("select", "-i", input, "-o", cli.PathOf("pairs.jsonl"), "--format", "ultrafeedback");
        Assert.Equal(0, code);
        var row = JsonDocument.Parse(Assert.Single(cli.Lines("pairs.jsonl"))).RootElement;
        // N = 4: μ − 2σ lies below every sample, so the rejected is the minimum.
        Assert.Equal(("Name a prime.", "7", "9", 4.5, 1.25), (row.GetProperty("prompt").GetString(), row.GetProperty("chosen").GetString(), row.GetProperty("rejected").GetString(), row.GetProperty("score_chosen").GetDouble(), row.GetProperty("score_rejected").GetDouble()));
    }

    [Theory]
    [InlineData("""{"prompt":"p","responses":[{"text":"a","reward":1},{"text":"b","reward":NaN}]}""", "line 2")]
    [InlineData("""{"prompt":"p","responses":[{"text":"a","reward":1}]}""", "has 1 response")]
    [InlineData("""{"prompt":"p","responses":[]}""", "field 'responses': is empty")]
    [InlineData("""{"prompt":"p","responses":[{"text":"a","reward":1},{"reward":0}]}""", "field 'responses[1].text': is missing")]
    [InlineData("""{"prompt":"p" "responses":[]}""", "not valid JSON")]
    public async Task MalformedInputFailsClearlyAndLeavesNoOutput(string badRow, string expected)
    {
        using var cli = new CliHarness();
        var input = cli.Write("scored.jsonl", """{"prompt":"ok","responses":[{"text":"a","reward":1},{"text":"b","reward":0}]}""" + "\n" + badRow + "\n");
        var output = cli.PathOf("pairs.jsonl");

        var (code, _, error) = await cli.RunAsync("select", "-i", input, "-o", output);

        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("scored.jsonl", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Single(Directory.GetFiles(cli.Folder)); // no temporary file left behind
    }

    [Fact]
    public async Task AFailedRunLeavesAnEarlierOutputUntouched()
    {
        using var cli = new CliHarness();
        var output = cli.Write("pairs.jsonl", "earlier\n");
        var input = cli.Write("scored.jsonl", "{broken\n");
        var (code, _, _) = await cli.RunAsync("select", "-i", input, "-o", output);
        Assert.Equal(2, code);
        Assert.Equal("earlier\n", File.ReadAllText(output));
    }

    [Theory]
    [InlineData("--strategy", "best", "Unknown strategy 'best'")]
    [InlineData("--chosen", "top", "--chosen: 'top' is not a reward position")]
    [InlineData("--keep", "2.5", "--keep")]
    [InlineData("--pairs-per-prompt", "0", "--pairs-per-prompt: must be at least 1")]
    [InlineData("--aggregate", "product", "--aggregate: 'product' is not an aggregation")]
    public async Task BadOptionsNameTheOption(string option, string value, string expected)
    {
        using var cli = new CliHarness();
        var input = cli.Write("scored.jsonl", SweetSpotPrompt);
        var (code, _, error) = await cli.RunAsync("select", "-i", input, "-o", cli.PathOf("o.jsonl"), option, value);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingRequiredOptionIsAUsageError()
    {
        using var cli = new CliHarness();
        var (code, _, error) = await cli.RunAsync("select", "--output", cli.PathOf("o.jsonl"));
        Assert.Equal(1, code);
        Assert.Contains("--input", error, StringComparison.Ordinal);
    }
}

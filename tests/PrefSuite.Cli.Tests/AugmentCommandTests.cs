using System.Text.Json;

namespace PrefSuite.Cli.Tests;

public class AugmentCommandTests
{
    [Fact]
    public async Task EachPairBecomesTwoGoalConditionedRows()
    {
        using var cli = new CliHarness();
        var input = cli.Write("pairs.jsonl", """
            {"prompt":"Sort 3 1 2","chosen":"1 2 3","rejected":"3 1 2","score_chosen":1.0,"score_rejected":0.5,"route":"dpo"}
            {"prompt":"tie","chosen":"a","rejected":"b","score_chosen":0.5,"score_rejected":0.5}
            """);
        var (code, _, error) = await cli.RunAsync("augment", "-i", input, "-o", cli.PathOf("aug.jsonl"), "--scale", "0:1");

        Assert.Equal(0, code);
        Assert.Contains("pairs 2 → augmented rows 2 (skipped 1", error, StringComparison.Ordinal);
        var rows = cli.Lines("aug.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(2, rows.Length);
        var system = rows[0].GetProperty("prompt")[0];
        Assert.Equal("system", system.GetProperty("role").GetString());
        Assert.Equal(
            "You are an assistant that generates responses for the instruction while implicitly achieving the following target scores (on a scale of 1-10, where 1 is lowest and 10 is highest):\nOverall score: 10.",
            system.GetProperty("content").GetString());
        Assert.Equal("1 2 3", rows[0].GetProperty("chosen")[0].GetProperty("content").GetString());
        Assert.EndsWith("Overall score: 5.5.", rows[1].GetProperty("prompt")[0].GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal("3 1 2", rows[1].GetProperty("chosen")[0].GetProperty("content").GetString());
        Assert.True(rows[1].GetProperty("swapped").GetBoolean());
        Assert.Equal("dpo", rows[1].GetProperty("route").GetString());
    }

    [Fact]
    public async Task NoSystemKeepsAPlainStringPrompt()
    {
        using var cli = new CliHarness();
        var input = cli.Write("pairs.jsonl", """{"prompt":"Sort","chosen":"a","rejected":"b","score_chosen":8,"score_rejected":3}""");
        await cli.RunAsync("augment", "-i", input, "-o", cli.PathOf("aug.jsonl"), "--no-system");
        var row = JsonDocument.Parse(cli.Lines("aug.jsonl")[0]).RootElement;
        Assert.EndsWith("Overall score: 8.\n\nSort", row.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        Assert.Equal("a", row.GetProperty("chosen").GetString());
    }

    [Fact]
    public async Task MissingScoresAreNamed()
    {
        using var cli = new CliHarness();
        var input = cli.Write("pairs.jsonl", """{"prompt":"Sort","chosen":"a","rejected":"b","score_chosen":8}""");
        var (code, _, error) = await cli.RunAsync("augment", "-i", input, "-o", cli.PathOf("aug.jsonl"));
        Assert.Equal(2, code);
        Assert.Contains("field 'score_rejected': is missing", error, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.PathOf("aug.jsonl")));
    }
}

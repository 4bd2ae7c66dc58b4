using System.Text.Json;

namespace PrefSuite.Cli.Tests;

public class ExportImportTests
{
    [Fact]
    public async Task ImportedUltraFeedbackBecomesScoredPromptsAndExportsAsConversationalPairs()
    {
        using var cli = new CliHarness();
        var uf = cli.Write("uf.jsonl", """
            {"instruction":"Name a prime.","completions":[{"response":"7","overall_score":8,"fine-grained_score":4.5},{"response":"9","overall_score":2,"fine-grained_score":1.25},{"response":"4","overall_score":3,"fine-grained_score":2}]}
            {"instruction":"Say hi.","completions":[{"response":"hi","overall_score":9,"fine-grained_score":5},{"response":"no","overall_score":1,"fine-grained_score":1}]}
            """);
        Assert.Equal(0, (await cli.RunAsync("import", "-i", uf, "-o", cli.PathOf("scored.jsonl"))).ExitCode);
        Assert.Equal(2, File.ReadAllLines(cli.PathOf("scored.jsonl")).Length);
        Assert.Equal(0, (await cli.RunAsync("select", "-i", cli.PathOf("scored.jsonl"), "-o", cli.PathOf("pairs.jsonl"))).ExitCode);

        var (code, _, error) = await cli.RunAsync("export", "-i", cli.PathOf("pairs.jsonl"), "--conversational", "-o", cli.PathOf("conv.jsonl"));
        Assert.True(code == 0, error);
        var row = JsonDocument.Parse(File.ReadAllLines(cli.PathOf("conv.jsonl"))[0]).RootElement;
        Assert.Equal("user", row.GetProperty("prompt")[0].GetProperty("role").GetString());
        Assert.Equal("7", row.GetProperty("chosen")[0].GetProperty("content").GetString());

        Assert.Equal(0, (await cli.RunAsync("export", "-i", cli.PathOf("pairs.jsonl"), "--format", "parquet", "-o", cli.PathOf("pairs.parquet"))).ExitCode);
        var bytes = File.ReadAllBytes(cli.PathOf("pairs.parquet"));
        Assert.Equal("PAR1"u8.ToArray(), bytes[..4]);
        Assert.Equal("PAR1"u8.ToArray(), bytes[^4..]);
        Assert.Equal(0, (await cli.RunAsync("export", "-i", cli.PathOf("scored.jsonl"), "--what", "samples", "--format", "parquet", "-o", cli.PathOf("samples.parquet"))).ExitCode);
    }

    [Fact]
    public async Task SelectingUnscoredSamplesSaysToScoreFirst()
    {
        using var cli = new CliHarness();
        var sampled = cli.Write("s.jsonl", """{"prompt_id":"p","prompt":"q","responses":[{"text":"a"},{"text":"b"}]}""");
        var (code, _, error) = await cli.RunAsync("select", "-i", sampled, "-o", cli.PathOf("p.jsonl"));
        Assert.Equal(2, code);
        Assert.Contains("responses[0].reward", error, StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.Text.Json;

namespace PrefSuite.Cli.Tests;

public class DenoiseCommandTests
{
    /// <summary>A Bradley–Terry matrix w_i − w_j over 30 items with three comparisons flipped.</summary>
    private static (string Csv, double[] W) FlippedMatrix()
    {
        var w = Enumerable.Range(0, 30).Select(i => Math.Sin(i * 2.3) + (i * 0.05)).ToArray();
        var m = new double[30, 30];
        for (var i = 0; i < 30; i++)
        {
            for (var j = 0; j < 30; j++)
            {
                m[i, j] = w[i] - w[j];
            }
        }

        foreach (var (i, j) in new[] { (1, 7), (4, 20), (11, 25) })
        {
            m[i, j] = -m[i, j];
            m[j, i] = -m[j, i];
        }

        var lines = Enumerable.Range(0, 30).Select(i => string.Join(",", Enumerable.Range(0, 30).Select(j => m[i, j].ToString("R", CultureInfo.InvariantCulture))));
        return (string.Join("\n", lines) + "\n", w);
    }

    [Fact]
    public async Task FlagsTheFlippedComparisonsAndRecoversTheRanking()
    {
        using var cli = new CliHarness();
        var (csv, w) = FlippedMatrix();
        var matrix = cli.Write("m.csv", csv);
        var (code, _, error) = await cli.RunAsync("denoise", "--matrix", matrix, "--output-dir", cli.PathOf("out"));

        Assert.Equal(0, code);
        Assert.Contains("converged", error, StringComparison.Ordinal);
        var report = JsonDocument.Parse(File.ReadAllText(cli.PathOf("out/report.json"))).RootElement;
        Assert.Equal(6, report.GetProperty("flagged").GetInt32());
        Assert.Equal(2, report.GetProperty("rank").GetInt32());
        Assert.True(report.GetProperty("converged").GetBoolean());
        Assert.True(report.GetProperty("residual").GetDouble() < 1e-7);

        var scores = File.ReadAllLines(cli.PathOf("out/scores.csv")).Skip(1).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var mean = w.Average();
        Assert.All(w.Zip(scores), p => Assert.Equal(p.First - mean, p.Second, 5));
        Assert.Equal(30, File.ReadAllLines(cli.PathOf("out/low_rank.csv")).Length);
        Assert.Equal(30, File.ReadAllLines(cli.PathOf("out/sparse.csv")).Length);
    }

    [Fact]
    public async Task CompletesMaskedEntries()
    {
        using var cli = new CliHarness();
        var (csv, w) = FlippedMatrix();
        var rows = csv.TrimEnd('\n').Split('\n').Select(r => r.Split(',')).ToArray();
        var mask = rows.Select((r, i) => r.Select((_, j) => (i + (2 * j)) % 7 == 0 ? "0" : "1").ToArray()).ToArray();
        for (var i = 0; i < rows.Length; i++)
        {
            for (var j = 0; j < rows[i].Length; j++)
            {
                rows[i][j] = mask[i][j] == "0" ? string.Empty : rows[i][j];
            }
        }

        var matrix = cli.Write("m.csv", string.Join("\n", rows.Select(r => string.Join(",", r))));
        var maskFile = cli.Write("mask.csv", string.Join("\n", mask.Select(r => string.Join(",", r))));
        var (code, _, error) = await cli.RunAsync("denoise", "-m", matrix, "-o", cli.PathOf("out"), "--mask", maskFile);
        Assert.True(code == 0, error);
        var scores = File.ReadAllLines(cli.PathOf("out/scores.csv")).Skip(1).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(
            Enumerable.Range(0, 30).OrderBy(i => w[i]),
            Enumerable.Range(0, 30).OrderBy(i => scores[i]));
    }

    [Theory]
    [InlineData("1,2\n3\n", "line 2")]
    [InlineData("1,2\n3,abc\n", "'abc' is not a number")]
    [InlineData("0,1\n,0\n", "give --mask")]
    [InlineData("0,1,2\n1,0,3\n", "must be square")]
    public async Task BadMatricesFailClearlyAndWriteNothing(string csv, string expected)
    {
        using var cli = new CliHarness();
        var matrix = cli.Write("m.csv", csv);
        var (code, _, error) = await cli.RunAsync("denoise", "-m", matrix, "-o", cli.PathOf("out"));
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(cli.PathOf("out")));
    }
}

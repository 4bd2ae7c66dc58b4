using System.Globalization;
using System.Text.Json;

namespace PrefSuite.Cli.Tests;

public class CompareCommandTests
{
    // results.csv columns.
    private const int Variant = 0, N = 1, Repeat = 2, Pairs = 3, Routed = 4, Epochs = 5, Steps = 6, HeldOut = 12, Hash = 14;

    [Fact]
    public async Task CompareIsAPairedExperimentWithEqualStepsSharedSamplesAndIntervals()
    {
        using var cli = new CliHarness();
        var (code, output, error) = await cli.RunAsync(
            "compare", "--runs-dir", cli.PathOf("runs"), "--prompts", "40", "--samples", "4,8", "--variants", "sweet-spot,max-min,top-10%-margin,random-sft",
            "--sft-steps", "30", "--evaluation-prompts", "20", "--epochs", "1", "--repeats", "2", "--output", cli.PathOf("cmp"), "--quiet");
        Assert.True(code == 0, error + output);
        var rows = File.ReadAllLines(cli.PathOf("cmp/results.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        string[] variants = ["sweet-spot", "max-min", "top-10%-margin", "random-sft"];
        Assert.Equal(
            from repeat in new[] { 0, 1 } from n in new[] { 4, 8 } from v in variants select $"{v},{n},{repeat}",
            rows.Select(r => $"{r[Variant]},{r[N]},{r[Repeat]}"));

        // Every variant of one (repeat, N) selected from the same scored samples; a new repeat or N means other samples.
        var hashes = rows.GroupBy(r => (r[Repeat], r[N])).ToDictionary(g => g.Key, g => g.Select(r => r[Hash]).Distinct().Single());
        Assert.Equal(4, hashes.Values.Distinct().Count());

        // Each repeat starts from its own SFT policy (seeds 0 and 1), trained once and kept under an alias.
        using var report = JsonDocument.Parse(File.ReadAllText(cli.PathOf("cmp/report.json")));
        var policies = report.RootElement.GetProperty("repeats").EnumerateArray().Select(r => r.GetProperty("policy").GetString()).ToArray();
        Assert.Equal(2, policies.Distinct().Count());
        var seeds = report.RootElement.GetProperty("repeats").EnumerateArray().Select(r => r.GetProperty("evaluation_seed").GetUInt64()).ToArray();
        Assert.Equal([999UL, 1000UL], seeds);

        foreach (var cell in rows.GroupBy(r => (r[Repeat], r[N])))
        {
            var baseline = cell.Single(r => r[Variant] == "sweet-spot");
            var top = cell.Single(r => r[Variant] == "top-10%-margin");
            // Equal compute: a tenth of the pairs, trained for as many optimizer steps as the baseline (more epochs).
            Assert.True(int.Parse(top[Pairs], CultureInfo.InvariantCulture) < int.Parse(baseline[Pairs], CultureInfo.InvariantCulture));
            Assert.Equal(baseline[Steps], top[Steps]);
            Assert.True(int.Parse(top[Epochs], CultureInfo.InvariantCulture) > 1);
            Assert.Equal("1", baseline[Epochs]);
            // The control routes pairs to SFT (as many as small-margin routing would) and keeps every pair.
            var control = cell.Single(r => r[Variant] == "random-sft");
            Assert.True(int.Parse(control[Routed], CultureInfo.InvariantCulture) > 0);
            Assert.Equal(baseline[Pairs], control[Pairs]);
        }

        // At N = 4 the sample nearest μ − 2σ is the minimum: sweet-spot and max-min build the same pairs.
        Assert.Equal(rows[0][7..9], rows[1][7..9]);

        // The report labels what each variant changes, and its difference from the baseline is the mean of the two
        // repeats' differences ± t(0.975, 1)·|d₀ − d₁|/2.
        Assert.Contains("| top-10%-margin | data |", output, StringComparison.Ordinal);
        double Reward(string variant, int repeat) => double.Parse(rows.Single(r => r[Variant] == variant && r[N] == "8" && r[Repeat] == repeat.ToString(CultureInfo.InvariantCulture))[HeldOut], CultureInfo.InvariantCulture);
        var d0 = Reward("max-min", 0) - Reward("sweet-spot", 0);
        var d1 = Reward("max-min", 1) - Reward("sweet-spot", 1);
        var mean = (d0 + d1) / 2;
        var half = 12.706204736174698 * Math.Abs(d0 - d1) / 2;
        // Three decimals; a fourth where three would round a nonzero value to zero.
        static string Signed(double x) => x != 0 && Math.Abs(x) < 0.0005
            ? x.ToString("+0.0000;−0.0000", CultureInfo.InvariantCulture)
            : x.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture);
        var star = mean - half > 0 || mean + half < 0 ? "*" : string.Empty;
        var section = output[output.IndexOf("paired difference from sweet-spot", StringComparison.Ordinal)..];
        var line = section.Split('\n').First(l => l.StartsWith("| max-min |", StringComparison.Ordinal));
        Assert.EndsWith($"| {Signed(mean)} [{Signed(mean - half)}, {Signed(mean + half)}]{star} |", line.TrimEnd(), StringComparison.Ordinal);
        foreach (var file in new[] { "report.md", "index.html", "heldout_reward.png", "difference_from_baseline.png" })
        {
            Assert.True(File.Exists(cli.PathOf($"cmp/{file}")), file);
        }

        // Re-analysis trains nothing: against max-min, sweet-spot's difference is the negation of the one above.
        var (again, reanalysis, againError) = await cli.RunAsync("compare", "--reanalyze", cli.PathOf("cmp"), "--baseline", "max-min", "--output", cli.PathOf("cmp2"), "--quiet");
        Assert.True(again == 0, againError + reanalysis);
        var flipped = reanalysis[reanalysis.IndexOf("paired difference from max-min", StringComparison.Ordinal)..].Split('\n').First(l => l.StartsWith("| sweet-spot |", StringComparison.Ordinal));
        var flippedStar = -mean - half > 0 || -mean + half < 0 ? "*" : string.Empty;
        Assert.EndsWith($"| {Signed(-mean)} [{Signed(-mean - half)}, {Signed(-mean + half)}]{flippedStar} |", flipped.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(cli.PathOf("cmp/results.csv")), File.ReadAllText(cli.PathOf("cmp2/results.csv")));
    }

    [Fact]
    public async Task CompareRejectsAMeaninglessGridBeforeTrainingAnything()
    {
        using var cli = new CliHarness();
        var (code, _, error) = await cli.RunAsync("compare", "--runs-dir", cli.PathOf("runs"), "--samples", "1,4");
        Assert.Equal(2, code);
        Assert.Contains("--samples", error, StringComparison.Ordinal);
        var (repeatsCode, _, repeatsError) = await cli.RunAsync("compare", "--runs-dir", cli.PathOf("runs"), "--repeats", "0");
        Assert.Equal(2, repeatsCode);
        Assert.Contains("--repeats must be at least 1", repeatsError, StringComparison.Ordinal);
        var (taskCode, _, taskError) = await cli.RunAsync("compare", "--runs-dir", cli.PathOf("runs"), "--task", "sorting-huge");
        Assert.Equal(2, taskCode);
        Assert.Contains("sorting-long", taskError, StringComparison.Ordinal);
        var (baselineCode, _, baselineError) = await cli.RunAsync("compare", "--runs-dir", cli.PathOf("runs"), "--variants", "max-min,sweet-spot", "--baseline", "random");
        Assert.Equal(2, baselineCode);
        Assert.Contains("--baseline", baselineError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(cli.PathOf("runs/models")));
    }
}

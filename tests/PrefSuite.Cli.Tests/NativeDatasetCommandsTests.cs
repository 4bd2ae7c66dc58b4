using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace PrefSuite.Cli.Tests;

/// <summary>
/// The native prefsuite, the ahead-of-time compiled build of the dataset commands, published as a user publishes it,
/// gives byte for byte the files, messages and exit codes of the managed prefsuite's own commands, and hands every other
/// command line to the managed build beside it.
/// </summary>
public class NativeDatasetCommandsTests(NativeDatasetCommandsTests.Published published) : IClassFixture<NativeDatasetCommandsTests.Published>
{
    [Fact]
    public async Task TheNativeBuildWritesWhatPrefSuiteWrites()
    {
        using var cli = new CliHarness();
        var sample = Path.Combine(DatasetCommandsTests.RepositoryRoot(), "examples", "ultrafeedback-sample.jsonl");
        var many = cli.Write("many.jsonl", ManyPrompts(3000, seed: 11));
        var broken = cli.Write("broken.jsonl", """
            {"prompt_id":"a","prompt":"p","responses":[{"text":"x","reward":1},{"text":"y","reward":2}]}
            {"prompt_id":"b","prompt":"q","responses":[{"text":"x","reward":"high"},{"text":"y","reward":2}]}
            """);
        string[][] commands =
        [
            ["select", "-i", many, "-o", "{out}/pairs.jsonl"],
            ["select", "-i", many, "-o", "{out}/top.jsonl", "--aggregate", "bayes", "--keep", "0.2", "--route-small-margins"],
            ["select", "-i", many, "-o", "{out}/random.parquet", "--strategy", "max-min-of-k-random", "--k", "4", "--conversational"],
            ["import", "-i", sample, "-o", "{out}/scored.parquet"],
            ["select", "-i", "{out}/scored.parquet", "-o", "{out}/from-parquet.jsonl", "--route-small-margins"],
            ["augment", "-i", "{out}/pairs.jsonl", "-o", "{out}/augmented.jsonl", "--scale", "0:10"],
            ["export", "-i", "{out}/top.jsonl", "--what", "sft", "-o", "{out}/sft.parquet", "--conversational"],
            ["export", "-i", "{out}/top.jsonl", "--what", "kto", "-o", "{out}/kto.jsonl"],
            ["export", "-i", "{out}/random.parquet", "--what", "dpo", "-o", "{out}/dpo.jsonl"],
            ["export", "-i", many, "--what", "samples", "-o", "{out}/samples.parquet"],
            ["select", "-i", broken, "-o", "{out}/never.jsonl"],
            ["select", "-i", cli.PathOf("missing.jsonl"), "-o", "{out}/never.jsonl"],
        ];

        Directory.CreateDirectory(cli.PathOf("native"));
        Directory.CreateDirectory(cli.PathOf("managed"));
        foreach (var command in commands)
        {
            var native = await RunNativeAsync(command.Select(a => a.Replace("{out}", cli.PathOf("native"), StringComparison.Ordinal)).ToArray());
            var managed = await cli.RunAsync(command.Select(a => a.Replace("{out}", cli.PathOf("managed"), StringComparison.Ordinal)).ToArray());
            var what = string.Join(' ', command);
            Assert.True(managed.ExitCode == native.ExitCode, $"{what}: exit {managed.ExitCode} in the managed build, {native.ExitCode} in the native one: {native.Error}");
            Assert.Equal(managed.Error.Replace(cli.PathOf("managed"), "{out}", StringComparison.Ordinal), native.Error.Replace(cli.PathOf("native"), "{out}", StringComparison.Ordinal));
        }

        var written = Directory.GetFiles(cli.PathOf("managed")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["augmented.jsonl", "dpo.jsonl", "from-parquet.jsonl", "kto.jsonl", "pairs.jsonl", "random.parquet", "samples.parquet", "scored.parquet", "sft.parquet", "top.jsonl"], written);
        Assert.Equal(written, Directory.GetFiles(cli.PathOf("native")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        foreach (var file in written)
        {
            Assert.True(File.ReadAllBytes(cli.PathOf($"managed/{file}")).AsSpan().SequenceEqual(File.ReadAllBytes(cli.PathOf($"native/{file}"))), $"{file} differs");
        }

        Assert.Equal(3000 - 60, cli.Lines("native/pairs.jsonl").Length); // every 50th prompt is all ties: no pair
        Assert.Equal(588, cli.Lines("native/top.jsonl").Length); // 20% of 2,940
        Assert.Equal(2 * 588, cli.Lines("native/kto.jsonl").Length); // each pair as a desirable and an undesirable row
    }

    [Fact]
    public async Task OtherCommandsGoToTheManagedBuildBesideIt()
    {
        using var cli = new CliHarness();

        // Alone, it says which command needs the full build and where it looked, and writes nothing.
        var alone = await RunAsync(published.Executable, ["report", "--run", "r1"]);
        Assert.Equal(2, alone.ExitCode);
        Assert.Equal($"prefsuite: 'report' needs the full prefsuite in {Path.Combine(published.Folder, "bin", "managed")}, which is not there; this build runs import, select, augment and export over files (scripts/publish DIR installs both).\n", alone.Error);
        var exportRun = await RunAsync(published.Executable, ["export", "--run=r1", "-o", cli.PathOf("never.jsonl")]);
        Assert.Equal(2, exportRun.ExitCode);
        Assert.StartsWith("prefsuite: 'export --run' needs the full prefsuite", exportRun.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.PathOf("never.jsonl")));
        Assert.Contains("import", (await RunAsync(published.Executable, ["--help"])).Output, StringComparison.Ordinal);
        var exportHelpAlone = await RunAsync(published.Executable, ["export", "--help"]);
        Assert.Equal(0, exportHelpAlone.ExitCode);
        Assert.DoesNotContain("--runs-dir", exportHelpAlone.Output, StringComparison.Ordinal);

        // With the managed build in managed/ (here the one this test project runs), it gets the whole command line and
        // its exit code and output come back; the dataset commands still run natively.
        var folder = cli.PathOf("installed");
        Directory.CreateDirectory(Path.Combine(folder, "managed"));
        File.Copy(published.Executable, Path.Combine(folder, "prefsuite"));
        File.CreateSymbolicLink(Path.Combine(folder, "managed", "prefsuite"), Path.Combine(AppContext.BaseDirectory, "prefsuite"));
        var installed = Path.Combine(folder, "prefsuite");

        var help = await RunAsync(installed, ["--help"]);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("PrefSuite: build DPO preference data the way the research says.", help.Output, StringComparison.Ordinal);
        Assert.Contains("  train ", help.Output, StringComparison.Ordinal);

        var missingRun = await RunAsync(installed, ["export", "--run", "r9", "--runs-dir", cli.PathOf("runs"), "--what", "dpo", "-o", cli.PathOf("never.jsonl")]);
        var expected = await cli.RunAsync(["export", "--run", "r9", "--runs-dir", cli.PathOf("runs"), "--what", "dpo", "-o", cli.PathOf("never.jsonl")]);
        Assert.Equal((expected.ExitCode, expected.Error), (missingRun.ExitCode, missingRun.Error));
        Assert.Equal(2, missingRun.ExitCode);

        // export's help and an export without --input are the full build's, whose export also takes --run.
        Assert.Contains("--runs-dir", (await RunAsync(installed, ["export", "--help"])).Output, StringComparison.Ordinal);
        string[] noInput = ["export", "--what", "dpo", "-o", cli.PathOf("never.jsonl")];
        var withoutInput = await RunAsync(installed, noInput);
        var expectedWithoutInput = await cli.RunAsync(noInput);
        Assert.Equal((expectedWithoutInput.ExitCode, expectedWithoutInput.Error), (withoutInput.ExitCode, withoutInput.Error));
        Assert.NotEqual(0, withoutInput.ExitCode);

        var badOption = await RunAsync(installed, ["train", "--bogus", "1"]);
        Assert.Equal(1, badOption.ExitCode); // System.CommandLine's parse error, from the managed build
        Assert.Contains("'--bogus'", badOption.Error, StringComparison.Ordinal);

        var sample = Path.Combine(DatasetCommandsTests.RepositoryRoot(), "examples", "ultrafeedback-sample.jsonl");
        var select = await RunAsync(installed, ["select", "-i", sample, "-o", cli.PathOf("pairs.jsonl")]);
        Assert.Equal(0, select.ExitCode);
        Assert.True(cli.Lines("pairs.jsonl").Length > 0);
    }

    private async Task<(int ExitCode, string Error)> RunNativeAsync(string[] args)
    {
        var (exitCode, _, error) = await RunAsync(published.Executable, args);
        return (exitCode, error);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string executable, string[] args)
    {
        var start = new ProcessStartInfo(executable, args) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output, await error);
    }

    /// <summary>Prompts in PrefSuite's format: 4 to 16 rated responses, all tied in some, text that needs escaping.</summary>
    private static string ManyPrompts(int count, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (var p = 0; p < count; p++)
        {
            var id = $"p-{p}";
            text.Append(CultureInfo.InvariantCulture, $$"""{"prompt_id":"{{id}}","prompt":"Question {{p}}: \"why\" — ünïcode\nline","responses":[""");
            var n = random.Next(4, 17);
            for (var r = 0; r < n; r++)
            {
                var reward = p % 50 == 0 ? 1.0 : Math.Round(random.NextDouble() * 10, random.Next(0, 4));
                text.Append(CultureInfo.InvariantCulture, $$"""{{(r > 0 ? "," : "")}}{"text":"answer {{r}} to {{p}} {{new string('x', random.Next(10, 200))}}","reward":{{reward.ToString("R", CultureInfo.InvariantCulture)}}}""");
            }

            text.Append("]}\n");
        }

        return text.ToString();
    }

    /// <summary>The native prefsuite published once for the class, with its own build folders (the repository's are left alone).</summary>
    public sealed class Published : IDisposable
    {
        public Published()
        {
            var root = DatasetCommandsTests.RepositoryRoot();
            var project = Path.Combine(root, "cli", "PrefSuite.Cli.Native");
            var start = new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "--artifacts-path", Path.Combine(Folder, "artifacts"), "-o", Path.Combine(Folder, "bin"), "-nologo", "-nodeReuse:false"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet publish {project} failed ({process.ExitCode}):\n{output}\n{error.Result}");
            }
        }

        public string Folder { get; } = Path.Combine(Path.GetTempPath(), "prefsuite-native-tests", Guid.NewGuid().ToString("N"));

        public string Executable => Path.Combine(Folder, "bin", "prefsuite");

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }
}

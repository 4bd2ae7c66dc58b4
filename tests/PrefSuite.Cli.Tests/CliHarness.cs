namespace PrefSuite.Cli.Tests;

/// <summary>Runs the prefsuite CLI in-process in a fresh folder and captures its output.</summary>
internal sealed class CliHarness : IDisposable
{
    public CliHarness() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "prefsuite-cli-tests", Guid.NewGuid().ToString("N"));

    public string PathOf(string name) => Path.Combine(Folder, name);

    public string Write(string name, string content)
    {
        File.WriteAllText(PathOf(name), content);
        return PathOf(name);
    }

    public async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PrefSuiteCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    public string[] Lines(string name) => File.ReadAllLines(PathOf(name));

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

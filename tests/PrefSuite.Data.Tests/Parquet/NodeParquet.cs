using System.Diagnostics;
using System.Text.Json;

namespace PrefSuite.Data.Tests.Parquet;

/// <summary>
/// Parquet implementations independent of Parquet.Net, run with Node.js from tests/clients/parquet: hyparquet reads
/// what PrefSuite writes, DuckDB writes files (as pyarrow and the Hugging Face Hub do) for PrefSuite to read. The npm
/// packages are installed on first use (npm ci, under a lock shared by test processes); Node.js 18+ and npm are
/// needed, which .ci/run installs.
/// </summary>
internal static class NodeParquet
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _installed;

    public static string Folder { get; } = Path.Combine(RepositoryRoot(), "tests", "clients", "parquet");

    /// <summary>The file as hyparquet reads it: {"schema": [...], "row_groups": n, "rows": [...]}.</summary>
    public static async Task<JsonElement> ReadAsync(string path)
    {
        await EnsureInstalledAsync();
        using var document = JsonDocument.Parse(await RunAsync("node", ["read.mjs", path]));
        return document.RootElement.Clone();
    }

    /// <summary>Writes the rows of a DuckDB query to a Parquet file.</summary>
    public static async Task WriteAsync(string path, string query, int? rowGroupSize = null)
    {
        await EnsureInstalledAsync();
        List<string> arguments = ["write.mjs", path, query];
        if (rowGroupSize is { } size)
        {
            arguments.Add(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await RunAsync("node", arguments);
    }

    private static async Task EnsureInstalledAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_installed)
            {
                return;
            }

            // Another test process (dotnet test runs projects in parallel) may be installing: take a file lock.
            var lockPath = Path.Combine(Folder, ".install.lock");
            FileStream? held = null;
            for (var attempt = 0; held is null; attempt++)
            {
                try
                {
                    held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                }
                catch (IOException) when (attempt < 600)
                {
                    await Task.Delay(500);
                }
            }

            await using (held)
            {
                if (!File.Exists(Path.Combine(Folder, "node_modules", "hyparquet", "package.json")) || !Directory.Exists(Path.Combine(Folder, "node_modules", "@duckdb", "node-api")))
                {
                    await RunAsync("npm", ["ci", "--no-audit", "--no-fund"]);
                }
            }

            _installed = true;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> RunAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {program} (Node.js 18 or later and npm are needed for the Parquet tests; .ci/run installs them).");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {await error}{await output}");
        return await output;
    }

    private static string RepositoryRoot()
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
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using PrefSuite.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrefSuite.Integration.Tests.Stack;

/// <summary>
/// The Python client (clients/python) against the six services started with an API key: tests/clients/python runs
/// under Debian's /usr/bin/python3 (or PREFSUITE_PYTHON) with python3-grpcio and python3-protobuf; one of its tests runs
/// `clients/python/generate --check`, which fails when the committed stubs differ from what protos/ generates.
/// </summary>
[Collection("servers")]
public sealed partial class PythonClientTests(Servers servers, ITestOutputHelper log) : IAsyncLifetime
{
    private const string ApiKey = "python-client-test-key-0123456789";
    private static readonly string Python = Environment.GetEnvironmentVariable("PREFSUITE_PYTHON") is { Length: > 0 } python ? python : "/usr/bin/python3";
    private Infrastructure.Stack? _stack;

    public async Task InitializeAsync()
    {
        await servers.ResetQueuesAsync();
        _stack = await Infrastructure.Stack.StartAsync(servers, settings: [$"--Security:ApiKey={ApiKey}"]);
    }

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    [Fact]
    public async Task APythonClientCallsEveryServiceWithItsApiKey()
    {
        Assert.True(
            File.Exists(Python),
            $"The Python client test needs {Python} (PREFSUITE_PYTHON) with grpcio and protobuf (Debian: python3-grpcio, python3-protobuf), and protoc with grpc_python_plugin (protobuf-compiler, protobuf-compiler-grpc); scripts/test installs them.");
        var environment = new Dictionary<string, string>
        {
            ["PYTHONPATH"] = Path.Combine(RepositoryRoot.Path, "clients", "python"),
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            ["PREFSUITE_API_KEY"] = ApiKey,
        };
        foreach (var (service, (grpc, _)) in _stack!.Ports)
        {
            environment[$"PREFSUITE_{service.ToUpperInvariant()}_ADDRESS"] = $"127.0.0.1:{grpc.ToString(CultureInfo.InvariantCulture)}";
        }

        var (exitCode, output) = await RunAsync(Python, ["-m", "unittest", "discover", "-v", "-s", Path.Combine(RepositoryRoot.Path, "tests", "clients", "python")], environment);

        log.WriteLine(output);
        Assert.True(exitCode == 0, output);
        var ran = RanTests().Match(output);
        Assert.True(ran.Success, output);
        Assert.True(int.Parse(ran.Groups[1].Value, CultureInfo.InvariantCulture) >= 21, output);
        Assert.EndsWith("OK", output.TrimEnd(), StringComparison.Ordinal); // "OK (skipped=…)" would mean a part never ran
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot.Path };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // not left running after the test, holding its pipes
            await process.WaitForExitAsync();
            return (-1, $"{program} did not finish in 10 minutes:\n{await error}{await output}");
        }

        return (process.ExitCode, await error + await output);
    }

    [GeneratedRegex(@"^Ran (\d+) tests? in", RegexOptions.Multiline)]
    private static partial Regex RanTests();
}

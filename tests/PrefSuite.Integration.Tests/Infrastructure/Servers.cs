using System.Diagnostics;
using PrefSuite.AppHost;
using RabbitMQ.Client;

namespace PrefSuite.Integration.Tests.Infrastructure;

/// <summary>
/// Real Redis, RabbitMQ and Azurite for the integration tests: the ones .ci/run started (ConnectionStrings__redis,
/// ConnectionStrings__rabbitmq and ConnectionStrings__artifacts in the environment), or private ones started here by
/// scripts/local-infra.sh (Debian's redis-server and rabbitmq-server, npm's Azurite) and stopped at the end.
/// </summary>
public sealed class Servers : IAsyncLifetime
{
    private string? _startedIn;

    public string Redis { get; private set; } = string.Empty;

    public string RabbitMq { get; private set; } = string.Empty;

    /// <summary>The Azure Storage connection string of Azurite's blob service.</summary>
    public string Artifacts { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var redis = Environment.GetEnvironmentVariable("ConnectionStrings__redis");
        var rabbit = Environment.GetEnvironmentVariable("ConnectionStrings__rabbitmq");
        var artifacts = Environment.GetEnvironmentVariable("ConnectionStrings__artifacts");
        if (!string.IsNullOrEmpty(redis) && !string.IsNullOrEmpty(rabbit) && !string.IsNullOrEmpty(artifacts))
        {
            (Redis, RabbitMq, Artifacts) = (redis, rabbit, artifacts);
            return;
        }

        if (!File.Exists("/usr/bin/redis-server") || !File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server"))
        {
            throw new InvalidOperationException(
                "The integration tests need Redis and RabbitMQ: run them through .ci/run, or install Debian's servers (apt-get install redis-server rabbitmq-server) so the tests can start private ones.");
        }

        _startedIn = Path.Combine(Path.GetTempPath(), "prefsuite-it-" + Guid.NewGuid().ToString("N")[..8]);
        var redisPort = FreePorts.Next();
        var amqpPort = FreePorts.Next();
        var azuritePort = FreePorts.Next();
        var env = new Dictionary<string, string>
        {
            ["PREFSUITE_REDIS_PORT"] = redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PREFSUITE_AMQP_PORT"] = amqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PREFSUITE_AZURITE_PORT"] = azuritePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PREFSUITE_EPMD_PORT"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PREFSUITE_DIST_PORT"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PREFSUITE_NODE"] = "prefsuite-it-" + Guid.NewGuid().ToString("N")[..6],
        };
        _env = env;
        await RunScriptAsync("start", _startedIn, env);
        Redis = $"127.0.0.1:{redisPort}";
        RabbitMq = $"amqp://guest:guest@127.0.0.1:{amqpPort}/";
        var exported = await File.ReadAllTextAsync(Path.Combine(_startedIn, "env"));
        Artifacts = exported.Split('\n').Single(l => l.StartsWith("export ConnectionStrings__artifacts=", StringComparison.Ordinal))["export ConnectionStrings__artifacts=".Length..].Trim('"');
    }

    private Dictionary<string, string>? _env;

    public async Task DisposeAsync()
    {
        if (_startedIn is not null && _env is not null)
        {
            await RunScriptAsync("stop", _startedIn, _env);
        }
    }

    /// <summary>Deletes every PrefSuite queue so a test starts from an empty broker.</summary>
    /// <summary>
    /// Empties the suite's queues for the next test. Purged, not deleted: RabbitMQ 3.10 finishes deleting a quorum queue
    /// after the delete returns, and a declare racing that shutdown can bind to the dying queue (a message published then
    /// is lost, a consumer's channel crashes with noproc). Every test declares the same arguments (delivery limit 3).
    /// </summary>
    public async Task ResetQueuesAsync()
    {
        var factory = new ConnectionFactory { Uri = new Uri(RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        foreach (var queue in new[] { "prefsuite.sample", "prefsuite.score", "prefsuite.denoise", "prefsuite.select", "prefsuite.train", "prefsuite.events", "prefsuite.test" })
        {
            foreach (var name in new[] { queue, queue + ".dead" })
            {
                // A missing queue closes the channel (NOT_FOUND): one channel per queue.
                await using var channel = await connection.CreateChannelAsync();
                try
                {
                    await channel.QueuePurgeAsync(name);
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
                {
                    // Not declared yet: nothing to empty.
                }
            }
        }
    }

    /// <summary>
    /// Raises or clears the broker's free-disk alarm, under which it blocks every publisher: the broker must be one
    /// scripts/local-infra.sh started (here, or by scripts/test, which exports where).
    /// </summary>
    public Task DiskAlarmAsync(bool raise)
    {
        var action = raise ? "raise-disk-alarm" : "clear-disk-alarm";
        if (_startedIn is not null && _env is not null)
        {
            return RunScriptAsync(action, _startedIn, _env);
        }

        var folder = Environment.GetEnvironmentVariable("PREFSUITE_INFRA_DIR");
        return string.IsNullOrEmpty(folder)
            ? throw new InvalidOperationException("This test controls the broker: run it through scripts/test, or without ConnectionStrings__* so the tests start their own.")
            : RunScriptAsync(action, folder, []); // the broker's node and ports are in the environment scripts/test exported
    }

    private static async Task RunScriptAsync(string action, string folder, Dictionary<string, string> env)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot.Path, "scripts", "local-infra.sh"), action, folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/local-infra.sh {action} failed: {output}{error}");
        }
    }
}

[CollectionDefinition("servers")]
public sealed class ServersCollection : ICollectionFixture<Servers>;

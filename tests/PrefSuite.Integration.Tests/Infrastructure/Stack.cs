using System.Globalization;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using PrefSuite.AppHost;

namespace PrefSuite.Integration.Tests.Infrastructure;

/// <summary>
/// The six services in this process, each a real Kestrel app on its own ports (gRPC over HTTP/2, health over
/// HTTP/1.1), sharing one artifact root, RabbitMQ and Redis: what the AppHost runs, minus the separate processes.
/// </summary>
public sealed class Stack : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private readonly Dictionary<string, (int Grpc, int Http)> _ports = [];
    private readonly List<GrpcChannel> _channels = [];

    private Stack(string artifacts) => Artifacts = artifacts;

    public string Artifacts { get; }

    public IReadOnlyDictionary<string, (int Grpc, int Http)> Ports => _ports;

    /// <param name="blobContainer">Keep artifacts in this Azurite container instead of a shared folder; each service then has its own model cache, as on separate machines.</param>
    /// <param name="settings">More settings for every service, as command-line arguments (e.g. "--Security:ApiKey=…").</param>
    public static async Task<Stack> StartAsync(Servers servers, int defaultPolicySftSteps = 100, string? blobContainer = null, IReadOnlyList<string>? settings = null)
    {
        var stack = new Stack(Path.Combine(Path.GetTempPath(), "prefsuite-stack-" + Guid.NewGuid().ToString("N")[..8]));
        var builders = new (string Name, Func<string[], WebApplication> Build)[]
        {
            ("sampling", a => SamplingService.SamplingServiceApp.Build(a)),
            ("scoring", a => RewardScoringService.RewardScoringServiceApp.Build(a)),
            ("denoising", a => DenoisingService.DenoisingServiceApp.Build(a)),
            ("selection", a => SelectionService.SelectionServiceApp.Build(a)),
            ("training", a => TrainingService.TrainingServiceApp.Build(a)),
            ("pipeline", a => PipelineService.PipelineServiceApp.Build(a)),
        };
        foreach (var (name, build) in builders)
        {
            var ports = (FreePorts.Next(), FreePorts.Next());
            stack._ports[name] = ports;
            string[] storage = blobContainer is null
                ? [$"--Artifacts:Root={stack.Artifacts}"]
                : ["--Artifacts:Kind=azureblob", $"--ConnectionStrings:artifacts={servers.Artifacts}", $"--Artifacts:Container={blobContainer}", $"--Models:CacheFolder={Path.Combine(stack.Artifacts, "cache-" + name)}"];
            var app = build(
            [
                .. storage,
                $"--GRPC_PORT={ports.Item1.ToString(CultureInfo.InvariantCulture)}",
                $"--HTTP_PORT={ports.Item2.ToString(CultureInfo.InvariantCulture)}",
                $"--ConnectionStrings:rabbitmq={servers.RabbitMq}",
                $"--ConnectionStrings:redis={servers.Redis}",
                "--Scoring:Scorers:0=simulated:sorting?noise=0.1&seed=3",
                "--Scoring:Scorers:1=programmatic:sorting",
                $"--Pipeline:DefaultPolicySftSteps={defaultPolicySftSteps.ToString(CultureInfo.InvariantCulture)}",
                $"--Logging:LogLevel:Default={Environment.GetEnvironmentVariable("PREFSUITE_TEST_LOG") ?? "Warning"}",
                .. settings ?? [],
            ]);
            // Added before starting: a service that fails half-way (a port taken) may already run its queue consumers,
            // and every service started must be stopped, or it would consume the next test's queues.
            stack._apps.Add(app);
            try
            {
                await app.StartAsync();
            }
            catch
            {
                await stack.DisposeAsync();
                throw;
            }
        }

        return stack;
    }

    public GrpcChannel Channel(string service)
    {
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_ports[service].Grpc}");
        _channels.Add(channel);
        return channel;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        // Every app is stopped even when one fails to: a service left running would consume the next test's queues.
        var failures = new List<Exception>();
        foreach (var app in Enumerable.Reverse(_apps))
        {
            // StopAsync of an app that never finished starting stops what did start.
            try
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
            catch (Exception error)
            {
                failures.Add(error);
            }
        }

        if (Directory.Exists(Artifacts))
        {
            Directory.Delete(Artifacts, recursive: true);
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("Some services did not stop cleanly.", failures);
        }
    }
}

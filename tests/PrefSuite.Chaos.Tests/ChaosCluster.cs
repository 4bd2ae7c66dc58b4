using System.Diagnostics;
using System.Globalization;
using PrefSuite.AppHost;

namespace PrefSuite.Chaos.Tests;

/// <summary>
/// Real infrastructure and the six services as separate processes, each restarted a second after it dies, as a
/// container platform would. Redis and RabbitMQ come from scripts/local-infra.sh; the artifact store is a small tmpfs
/// (so the store can fill up), or a plain folder where mounting one is not allowed.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    public static readonly string[] ServiceNames = ["sampling", "scoring", "denoising", "selection", "training", "pipeline"];

    private static readonly Dictionary<string, (string Folder, string Assembly)> Projects = new()
    {
        ["sampling"] = ("Sampling", "PrefSuite.SamplingService"),
        ["scoring"] = ("RewardScoring", "PrefSuite.RewardScoringService"),
        ["denoising"] = ("Denoising", "PrefSuite.DenoisingService"),
        ["selection"] = ("Selection", "PrefSuite.SelectionService"),
        ["training"] = ("Training", "PrefSuite.TrainingService"),
        ["pipeline"] = ("Pipeline", "PrefSuite.PipelineService"),
    };

    private readonly Dictionary<string, Supervised> _services = [];
    private readonly Dictionary<string, string> _infraEnv;
    private readonly CancellationTokenSource _stopping = new();

    private ChaosCluster(string folder, Dictionary<string, string> infraEnv)
    {
        Folder = folder;
        _infraEnv = infraEnv;
    }

    public string Folder { get; }

    public string Store => Path.Combine(Folder, "store");

    public bool StoreIsTmpfs { get; private set; }

    public string Redis { get; private set; } = string.Empty;

    public string RabbitMq { get; private set; } = string.Empty;

    public int PipelinePort => _services["pipeline"].GrpcPort;

    public IReadOnlyDictionary<string, Supervised> Services => _services;

    public static async Task<ChaosCluster> StartAsync(IReadOnlyDictionary<string, string> settings, long storeBytes = 512L << 20)
    {
        var folder = Path.Combine(Path.GetTempPath(), "prefsuite-chaos-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(folder, "logs"));
        var (redisPort, amqpPort) = (FreePorts.Next(), FreePorts.Next());
        var env = new Dictionary<string, string>
        {
            ["PREFSUITE_REDIS_PORT"] = redisPort.ToString(CultureInfo.InvariantCulture),
            ["PREFSUITE_AMQP_PORT"] = amqpPort.ToString(CultureInfo.InvariantCulture),
            ["PREFSUITE_EPMD_PORT"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["PREFSUITE_DIST_PORT"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["PREFSUITE_AZURITE_PORT"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["PREFSUITE_NODE"] = "prefsuite-chaos-" + Guid.NewGuid().ToString("N")[..6],
        };
        var cluster = new ChaosCluster(folder, env);
        try
        {
            await cluster.StartCoreAsync(settings, redisPort, amqpPort, storeBytes);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(IReadOnlyDictionary<string, string> settings, int redisPort, int amqpPort, long storeBytes)
    {
        var cluster = this;
        await cluster.InfraAsync("start");
        cluster.Redis = $"127.0.0.1:{redisPort}";
        cluster.RabbitMq = $"amqp://guest:guest@127.0.0.1:{amqpPort}/";

        Directory.CreateDirectory(cluster.Store);
        cluster.StoreIsTmpfs = await RunAsync("mount", ["-t", "tmpfs", "-o", $"size={storeBytes}", "tmpfs", cluster.Store]) == 0;
        foreach (var name in ServiceNames)
        {
            var service = new Supervised(name, cluster.ServiceEnvironment(name, settings), Path.Combine(Folder, "logs"));
            cluster._services[name] = service;
            service.Start(cluster._stopping.Token);
        }

        foreach (var service in cluster._services.Values)
        {
            await service.WaitAliveAsync(TimeSpan.FromMinutes(2));
        }
    }

    private Dictionary<string, string> ServiceEnvironment(string name, IReadOnlyDictionary<string, string> settings)
    {
        var (folder, assembly) = Projects[name];
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/{Configuration}/net10.0
        var env = new Dictionary<string, string>(settings)
        {
            ["PREFSUITE_DLL"] = Path.Combine(RepositoryRoot, "services", folder, "bin", configuration, "net10.0", assembly + ".dll"),
            ["GRPC_PORT"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["HTTP_PORT"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings__rabbitmq"] = RabbitMq,
            ["ConnectionStrings__redis"] = Redis,
            ["Artifacts__Root"] = Store,
            ["Models__CacheFolder"] = Path.Combine(Folder, "cache-" + name),
            ["Scoring__Scorers__0"] = "simulated:sorting?noise=0.1&seed=3",
            ["Scoring__Scorers__1"] = "programmatic:sorting",
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_gcServer"] = "0",
        };
        return env;
    }

    /// <summary>kill -9 of a service; its supervisor starts it again (with <paramref name="once"/> set for that start only).</summary>
    public void Kill(string name, IReadOnlyDictionary<string, string>? once = null) => _services[name].Kill(once);

    public Task RestartRabbitMqAsync() => InfraAsync("restart-rabbitmq");

    public Task StopRedisAsync() => InfraAsync("stop-redis");

    public Task StartRedisAsync() => InfraAsync("start-redis");

    /// <summary>Fills the store until the disk is full; returns the filler's path (delete it to free the space).</summary>
    public async Task<string> FillStoreAsync()
    {
        var filler = Path.Combine(Store, ".filler");
        var buffer = new byte[1 << 20];
        await using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write);
        try
        {
            while (true)
            {
                await stream.WriteAsync(buffer);
            }
        }
        catch (IOException)
        {
            // full
        }

        return filler;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var service in _services.Values)
        {
            await service.StopAsync();
        }

        await InfraAsync("stop");
        if (StoreIsTmpfs)
        {
            await RunAsync("umount", ["-l", Store]);
        }

        if (Environment.GetEnvironmentVariable("PREFSUITE_CHAOS_KEEP") is null)
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        _stopping.Dispose();
    }

    private async Task InfraAsync(string action)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot, "scripts", "local-infra.sh"), action, Path.Combine(Folder, "infra")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _infraEnv)
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

    private static async Task<int> RunAsync(string program, string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PrefSuite.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("no PrefSuite.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>One service process under a supervisor that starts it again a second after it exits.</summary>
public sealed class Supervised(string name, Dictionary<string, string> environment, string logs)
{
    private readonly Lock _gate = new();
    private Process? _process;
    private Dictionary<string, string>? _once;
    private Task _loop = Task.CompletedTask;

    public string Name => name;

    public int GrpcPort => int.Parse(environment["GRPC_PORT"], CultureInfo.InvariantCulture);

    public int HttpPort => int.Parse(environment["HTTP_PORT"], CultureInfo.InvariantCulture);

    public int Starts { get; private set; }

    public void Start(CancellationToken stopping) => _loop = Task.Run(() => SuperviseAsync(stopping), CancellationToken.None);

    public void Kill(IReadOnlyDictionary<string, string>? once)
    {
        lock (_gate)
        {
            _once = once is null ? null : new Dictionary<string, string>(once);
            _process?.Kill(); // SIGKILL
        }
    }

    /// <summary>Peak resident memory (VmHWM) of the current process, in bytes; 0 when unknown.</summary>
    public long PeakMemory()
    {
        lock (_gate)
        {
            try
            {
                var line = File.ReadLines($"/proc/{_process?.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException)
            {
                return 0;
            }
        }
    }

    public async Task WaitAliveAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{HttpPort}/alive")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{name} did not come up within {timeout}; see its log in {logs}");
    }

    public async Task StopAsync()
    {
        lock (_gate)
        {
            try
            {
                _process?.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }

        await _loop;
    }

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Process process;
            lock (_gate)
            {
                var start = new ProcessStartInfo("dotnet", [environment["PREFSUITE_DLL"]]) { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var (key, value) in environment)
                {
                    start.Environment[key] = value;
                }

                foreach (var (key, value) in _once ?? [])
                {
                    start.Environment[key] = value;
                }

                _once = null;
                process = Process.Start(start)!;
                _process = process;
                Starts++;
            }

            var log = Path.Combine(logs, $"{name}-{Starts}.log");
            var pump = Task.Run(async () =>
            {
                await using var file = new StreamWriter(log);
                var err = process.StandardError.ReadToEndAsync(CancellationToken.None);
                string? line;
                while ((line = await process.StandardOutput.ReadLineAsync(CancellationToken.None)) is not null)
                {
                    await file.WriteLineAsync(line);
                }

                await file.WriteLineAsync(await err);
            }, CancellationToken.None);
            await process.WaitForExitAsync(CancellationToken.None);
            await pump;
            process.Dispose();
            try
            {
                await Task.Delay(1000, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

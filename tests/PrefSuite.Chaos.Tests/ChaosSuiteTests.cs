using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using PrefSuite.Contracts.V1;
using PrefSuite.Models.Policy;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;
using PrefSuite.Workflow;
using Xunit.Abstractions;
using PipelineClient = PrefSuite.Contracts.V1.PipelineService.PipelineServiceClient;

namespace PrefSuite.Chaos.Tests;

/// <summary>
/// Runs a run per round against real processes and injects one fault at a random moment: kill -9 of a random service,
/// kill -9 of the pipeline between a ledger write and its send (its fault-injection hook), a broker restart, Redis
/// stopped, the artifact store full. Every round must end succeeded with exactly the uninterrupted run's pairs file.
/// CI runs one round per fault on 1,000 prompts; the full suite (docs/reliability.md):
/// <c>PREFSUITE_CHAOS_ROUNDS=20 PREFSUITE_CHAOS_PROMPTS=2000 PREFSUITE_CHAOS_REPORT=chaos.md dotnet test tests/PrefSuite.Chaos.Tests</c>.
/// </summary>
public sealed class ChaosSuiteTests(ITestOutputHelper output)
{
    private static readonly string[] Faults = ["kill-service", "kill-pipeline-after-save", "broker-restart", "redis-stopped", "store-full"];

    [Fact]
    public async Task EveryRoundEndsSucceededWithThePairsOfTheUninterruptedRun()
    {
        var rounds = Setting("PREFSUITE_CHAOS_ROUNDS", Faults.Length);
        var prompts = Setting("PREFSUITE_CHAOS_PROMPTS", 1000);
        var random = new Random(Setting("PREFSUITE_CHAOS_SEED", 1));
        var settings = new Dictionary<string, string>
        {
            ["Pipeline__StallTimeout"] = "00:01:00",
            ["Pipeline__StallRetries"] = "5",
        };
        await using var cluster = await ChaosCluster.StartAsync(settings);
        using (var policies = new PolicyStore(new FileArtifactStore(cluster.Store), Path.Combine(cluster.Folder, "cache-test")))
        using (var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 32, Heads = 2, Context = 64 }, 17))
        {
            await policies.SetAliasAsync(JobIds.DefaultPolicyAlias, await policies.RegisterAsync(policy, "init"));
        }

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{cluster.PipelinePort}");
        var pipeline = new PipelineClient(channel);
        await RunAsync(pipeline, cluster, "warm-up", prompts, TimeSpan.FromMinutes(20)); // JIT and model loading, not timed
        var baseline = await RunAsync(pipeline, cluster, "baseline", prompts, TimeSpan.FromMinutes(20));
        var again = await RunAsync(pipeline, cluster, "baseline-again", prompts, TimeSpan.FromMinutes(20));
        Assert.Equal((RunState.Succeeded, RunState.Succeeded), (baseline.Run.State, again.Run.State));
        var baselinePairs = await File.ReadAllTextAsync(Pairs(cluster, "baseline"));
        Assert.Equal(baselinePairs, await File.ReadAllTextAsync(Pairs(cluster, "baseline-again"))); // uninterrupted runs agree
        baseline = baseline.Seconds <= again.Seconds ? baseline : again;
        var baselineIds = PromptIds(baselinePairs);
        Log($"baseline: {prompts} prompts, {baselineIds.Count} pairs, {baseline.Seconds:F1} s");

        var results = new List<Round>();
        var order = new List<string>();
        for (var round = 1; round <= rounds; round++)
        {
            if (order.Count == 0)
            {
                order.AddRange(Faults.OrderBy(_ => random.Next()));
            }

            var fault = order[0];
            order.RemoveAt(0);
            var at = TimeSpan.FromSeconds((0.05 + (random.NextDouble() * 0.5)) * baseline.Seconds);
            var runId = $"round-{round}";
            var armed = 0;
            if (fault == "kill-pipeline-after-save")
            {
                // The pipeline restarts with its hook armed before the run: it kills itself at a random one of the run's
                // ledger writes that owe messages (a fan-out chunk or an outbox send), between the write and the send.
                armed = 1 + random.Next(Math.Max(1, (prompts / 256) + 1));
                cluster.Kill("pipeline", new Dictionary<string, string> { ["Pipeline__CrashAfterSaves"] = armed.ToString(CultureInfo.InvariantCulture) });
                await Task.Delay(300);
                await cluster.Services["pipeline"].WaitAliveAsync(TimeSpan.FromMinutes(2));
            }

            var starts = cluster.Services["pipeline"].Starts;
            using var runEnded = new CancellationTokenSource();
            var faultTask = Task.Run(async () =>
            {
                if (armed > 0)
                {
                    return await CrashedAsync(cluster, starts, armed, runEnded.Token);
                }

                await Task.Delay(at);
                var running = !RunDefinition.IsFinal((await pipeline.GetRunAsync(new RunRequest { RunId = runId })).State);
                var (what, back) = await InjectAsync(cluster, fault, random);
                return (running ? what : what + " (after the run ended)", back);
            });
            var outcome = await RunAsync(pipeline, cluster, runId, prompts, TimeSpan.FromMinutes(20));
            await runEnded.CancelAsync();
            var (what, back) = await faultTask;
            var pairs = File.Exists(Pairs(cluster, runId)) ? await File.ReadAllTextAsync(Pairs(cluster, runId)) : string.Empty;
            var ids = PromptIds(pairs);
            var lost = baselineIds.Keys.Sum(id => Math.Max(0, baselineIds[id] - ids.GetValueOrDefault(id)));
            var duplicated = ids.Keys.Sum(id => Math.Max(0, ids[id] - baselineIds.GetValueOrDefault(id)));
            var result = new Round(round, what, at.TotalSeconds, outcome.Run.State, outcome.Seconds, outcome.Seconds - baseline.Seconds, back, lost, duplicated, pairs == baselinePairs, outcome.Run.DeadLetterCount, outcome.Run.Error);
            results.Add(result);
            Log(result.ToString());
        }

        var memory = cluster.Services.ToDictionary(s => s.Key, s => s.Value.PeakMemory());
        var restarts = cluster.Services.ToDictionary(s => s.Key, s => s.Value.Starts - 1);
        var report = Report(prompts, baseline.Seconds, baselineIds.Values.Sum(), cluster.StoreIsTmpfs, results, memory, restarts);
        output.WriteLine(report);
        if (Environment.GetEnvironmentVariable("PREFSUITE_CHAOS_REPORT") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, report);
        }

        Assert.All(results, r => Assert.True(r.State == RunState.Succeeded && r.Identical && r.Lost == 0 && r.Duplicated == 0, r.ToString()));
    }

    private async Task<(string What, double? BackSeconds)> InjectAsync(ChaosCluster cluster, string fault, Random random)
    {
        var clock = Stopwatch.StartNew();
        switch (fault)
        {
            case "kill-service":
                var victim = ChaosCluster.ServiceNames[random.Next(ChaosCluster.ServiceNames.Length)];
                cluster.Kill(victim);
                await Task.Delay(300);
                await cluster.Services[victim].WaitAliveAsync(TimeSpan.FromMinutes(2));
                return ($"kill -9 {victim}", clock.Elapsed.TotalSeconds);
            case "broker-restart":
                await cluster.RestartRabbitMqAsync();
                return ("RabbitMQ restart", clock.Elapsed.TotalSeconds);
            case "redis-stopped":
                await cluster.StopRedisAsync();
                await Task.Delay(TimeSpan.FromSeconds(10));
                await cluster.StartRedisAsync();
                return ("Redis stopped for 10 s", clock.Elapsed.TotalSeconds);
            case "store-full":
                if (!cluster.StoreIsTmpfs)
                {
                    return ("store full: skipped (no tmpfs could be mounted)", null);
                }

                var filler = await cluster.FillStoreAsync();
                await Task.Delay(TimeSpan.FromSeconds(10));
                File.Delete(filler);
                return ("artifact store full for 10 s", clock.Elapsed.TotalSeconds);
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
        }
    }

    /// <summary>Waits for the armed pipeline to kill itself and come back; the time back is from its death to /alive.</summary>
    private static async Task<(string What, double? BackSeconds)> CrashedAsync(ChaosCluster cluster, int starts, int saves, CancellationToken runEnded)
    {
        var pipeline = cluster.Services["pipeline"];
        while (pipeline.Starts == starts && !runEnded.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        if (pipeline.Starts == starts)
        {
            return ($"kill -9 pipeline between save and send: the hook (after {saves} saves) did not fire", null);
        }

        var clock = Stopwatch.StartNew();
        await pipeline.WaitAliveAsync(TimeSpan.FromMinutes(2));
        return ($"kill -9 pipeline between save and send (save {saves})", clock.Elapsed.TotalSeconds + 1);
    }

    /// <summary>Submits (retrying while the pipeline is away) and polls until the run ends.</summary>
    private static async Task<(Run Run, double Seconds)> RunAsync(PipelineClient pipeline, ChaosCluster cluster, string runId, int prompts, TimeSpan timeout)
    {
        var spec = new RunSpec
        {
            RunId = runId,
            DemoPrompts = prompts,
            DemoSeed = 7,
            Sampling = new SamplingParams { N = 8, Temperature = 1, Seed = 3, MaxNewTokens = 12 },
            Training = new TrainOptions { Epochs = 1, BatchSize = 64 },
        };
        var clock = Stopwatch.StartNew();
        Run? run = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                run = run is null
                    ? await pipeline.SubmitRunAsync(spec, deadline: DateTime.UtcNow.AddSeconds(30))
                    : await pipeline.GetRunAsync(new RunRequest { RunId = runId }, deadline: DateTime.UtcNow.AddSeconds(10));
                if (RunDefinition.IsFinal(run.State))
                {
                    return (run, clock.Elapsed.TotalSeconds);
                }
            }
            catch (RpcException error) when (error.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown or StatusCode.NotFound)
            {
                // the pipeline is restarting (NotFound: before it reloaded its runs)
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"run {runId} did not end within {timeout}; last state {run?.State}; logs in {cluster.Folder}");
    }

    private static string Pairs(ChaosCluster cluster, string runId) => Path.Combine(cluster.Store, "runs", runId, "pairs.jsonl");

    private static Dictionary<string, int> PromptIds(string pairs) => pairs.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("prompt_id").GetString()!)
        .GroupBy(id => id, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private void Log(string line) => output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

    private static string Report(int prompts, double baselineSeconds, int pairs, bool tmpfs, List<Round> rounds, Dictionary<string, long> memory, Dictionary<string, int> restarts)
    {
        var text = new StringBuilder();
        var ok = rounds.Count(r => r.State == RunState.Succeeded && r.Identical);
        text.AppendLine(CultureInfo.InvariantCulture, $"Chaos suite: {rounds.Count} rounds of a {prompts}-prompt run (N = 8, 12 new tokens, then 1 epoch of DPO), one fault each; the uninterrupted run: {baselineSeconds:F1} s, {pairs} pairs. Cost: a round's run time minus the uninterrupted run's (negative: within run-to-run noise). Back after: the killed process answering /alive again, the broker restarted, or the end of a 10 s outage.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Runs succeeded with the baseline's pairs file: {ok}/{rounds.Count}; units lost {rounds.Sum(r => r.Lost)}, duplicated {rounds.Sum(r => r.Duplicated)}; longest fault cost {rounds.Max(r => r.Extra):F1} s (run time beyond the baseline's). Store: {(tmpfs ? "a 512 MiB tmpfs" : "a plain folder (no tmpfs)")}.");
        text.AppendLine();
        text.AppendLine("| round | fault | at (s) | state | run (s) | cost (s) | back after (s) | lost | duplicated | identical pairs | units failed |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rounds)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Number} | {r.Fault} | {r.At:F1} | {r.State} | {r.Seconds:F1} | {r.Extra:F1} | {(r.Back is { } b ? b.ToString("F1", CultureInfo.InvariantCulture) : "–")} | {r.Lost} | {r.Duplicated} | {(r.Identical ? "yes" : "no")} | {r.Failed} |");
        }

        text.AppendLine();
        text.AppendLine("| service | restarts | peak memory of its last process (MiB) |");
        text.AppendLine("|---|---|---|");
        foreach (var (name, bytes) in memory)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {restarts[name]} | {bytes / (1024.0 * 1024):F0} |");
        }

        return text.ToString();
    }

    private sealed record Round(int Number, string Fault, double At, RunState State, double Seconds, double Extra, double? Back, int Lost, int Duplicated, bool Identical, int Failed, string Error)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"round {Number}: {Fault} at {At:F1} s → {State} in {Seconds:F1} s (cost {Extra:F1} s), lost {Lost}, duplicated {Duplicated}, identical {Identical}, failed units {Failed} {Error}");
    }
}

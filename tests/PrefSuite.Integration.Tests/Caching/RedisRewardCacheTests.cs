using System.Diagnostics;
using PrefSuite.AppHost;
using PrefSuite.Caching;
using PrefSuite.Contracts.V1;
using PrefSuite.Integration.Tests.Infrastructure;
using PrefSuite.Models.Rewards;
using PrefSuite.Stages.Scoring;
using static PrefSuite.Integration.Tests.Infrastructure.Messaging;

namespace PrefSuite.Integration.Tests.Caching;

[Collection("servers")]
public class RedisRewardCacheTests(Servers servers)
{
    private static ScoreRequest Request(params string[] responses)
    {
        var request = new ScoreRequest();
        request.Items.Add(responses.Select(r => new ScoreItem { Prompt = "sort 3 1 2 =", Response = r }));
        return request;
    }

    [Fact]
    public async Task ReadsAndWritesInBatchesAndMissesWhatIsAbsent()
    {
        using var redis = RedisRewardCache.Connect(servers.Redis);
        var cache = new RedisRewardCache(redis, Log<RedisRewardCache>());
        var prefix = Guid.NewGuid().ToString("N");
        await cache.SetManyAsync([new($"{prefix}:a", [1, 2]), new($"{prefix}:b", [3])]);
        var values = await cache.GetManyAsync([$"{prefix}:a", $"{prefix}:missing", $"{prefix}:b"]);
        Assert.Equal([1, 2], values[0]);
        Assert.Null(values[1]);
        Assert.Equal([3], values[2]);
        Assert.True(await redis.GetDatabase().KeyTimeToLiveAsync($"{prefix}:a") > TimeSpan.FromDays(6));
    }

    [Fact]
    public async Task TheSecondScoringOfTheSameResponsesComesFromTheCache()
    {
        using var redis = RedisRewardCache.Connect(servers.Redis);
        var scorer = new CountingScorer();
        var stage = new ScoringStage([scorer], new RedisRewardCache(redis, Log<RedisRewardCache>()));
        var unique = Guid.NewGuid().ToString("N")[..6];
        var request = Request($"1 2 3 {unique}", $"3 2 1 {unique}", $"1 3 {unique}");

        var first = await stage.ScoreAsync(request);
        var second = await stage.ScoreAsync(request);

        Assert.Equal((0, 3), (first.CacheHits, first.CacheMisses));
        Assert.Equal((3, 0), (second.CacheHits, second.CacheMisses));
        Assert.Equal(3, scorer.Scored);
        Assert.Equal(first.Items.Select(i => i.Combined.Reward), second.Items.Select(i => i.Combined.Reward));
    }

    [Fact]
    public async Task RedisStoppedMidRunMeansRecomputationNeverAFailure()
    {
        var port = FreePorts.Next();
        using var server = Process.Start(new ProcessStartInfo("redis-server", ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true })!;
        try
        {
            Assert.True(await EventuallyAsync(() => TryPing(port), 10));
            using var redis = RedisRewardCache.Connect($"127.0.0.1:{port}");
            var cache = new RedisRewardCache(redis, Log<RedisRewardCache>());
            var scorer = new CountingScorer();
            var stage = new ScoringStage([scorer], cache);

            var before = await stage.ScoreAsync(Request("1 2 3", "2 1 3"));
            Assert.Equal(2, (await stage.ScoreAsync(Request("1 2 3", "2 1 3"))).CacheHits);

            server.Kill();
            await server.WaitForExitAsync();

            var during = await stage.ScoreAsync(Request("1 2 3", "2 1 3", "3 2 1"));
            Assert.Equal(0, during.CacheHits);
            Assert.Equal(3, during.CacheMisses);
            Assert.Equal(before.Items.Select(i => i.Combined.Reward), during.Items.Take(2).Select(i => i.Combined.Reward));
            Assert.Equal(SortingRewardOf("3 2 1"), during.Items[2].Combined.Reward, 12);
            Assert.True(cache.Fallbacks >= 2);

            // With the circuit open, Redis is not even tried: scoring stays fast.
            var clock = Stopwatch.StartNew();
            await stage.ScoreAsync(Request("1 3 2"));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"scoring took {clock.Elapsed} with Redis down");
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }
        }
    }

    private static double SortingRewardOf(string response) => Science.Demo.SortingTask.Reward("sort 3 1 2 =", response);

    private static bool TryPing(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private sealed class CountingScorer : IRewardScorer
    {
        private readonly ProgrammaticRewardScorer _inner = new(new SortingReward());

        public int Scored { get; private set; }

        public string Id => _inner.Id;

        public string Version => _inner.Version;

        public IReadOnlyList<string> Heads => _inner.Heads;

        public Task<IReadOnlyList<Models.Rewards.RewardVector>> ScoreAsync(IReadOnlyList<ScoringItem> items, CancellationToken cancellationToken = default)
        {
            Scored += items.Count;
            return _inner.ScoreAsync(items, cancellationToken);
        }
    }
}

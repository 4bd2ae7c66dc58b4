using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using PrefSuite.Stages.Caching;
using StackExchange.Redis;

namespace PrefSuite.Caching;

/// <summary>
/// Reward vectors in Redis: one MGET per batch of keys and one pipelined batch of SETs with expiry per batch of
/// writes. Redis is a cache only: when it is down or slow, reads come back as misses and writes are skipped, with a
/// warning, and a circuit breaker stops trying for a while so a dead Redis costs nothing per call.
/// </summary>
public sealed partial class RedisRewardCache : IRewardCache
{
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<RedisRewardCache> _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _expiry;

    public RedisRewardCache(IConnectionMultiplexer redis, ILogger<RedisRewardCache> logger, TimeSpan? expiry = null, TimeSpan? breakDuration = null)
    {
        _redis = redis;
        _logger = logger;
        _expiry = expiry ?? TimeSpan.FromDays(7);
        _pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                // A cache trips at its first failure: one slow miss is cheaper than many.
                FailureRatio = 0.01,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = breakDuration ?? TimeSpan.FromSeconds(5),
                ShouldHandle = new PredicateBuilder().Handle<RedisException>().Handle<TimeoutException>(),
            })
            .AddTimeout(TimeSpan.FromSeconds(2))
            .Build();
    }

    /// <summary>How many calls fell back because Redis could not be used.</summary>
    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    private long _fallbacks;

    public async Task<byte[]?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        try
        {
            var values = await _pipeline.ExecuteAsync(async _ => await _redis.GetDatabase().StringGetAsync(keys.Select(k => (RedisKey)k).ToArray()).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return values.Select(v => v.HasValue ? (byte[]?)v : null).ToArray();
        }
        catch (Exception error) when (error is RedisException or TimeoutException or BrokenCircuitException or Polly.Timeout.TimeoutRejectedException)
        {
            Interlocked.Increment(ref _fallbacks);
            LogUnavailable(_logger, "read", error.Message);
            return new byte[]?[keys.Count];
        }
    }

    public async Task SetManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        try
        {
            await _pipeline.ExecuteAsync(async _ =>
            {
                var batch = _redis.GetDatabase().CreateBatch();
                var writes = entries.Select(e => batch.StringSetAsync(e.Key, e.Value, _expiry)).ToArray();
                batch.Execute();
                await Task.WhenAll(writes).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RedisException or TimeoutException or BrokenCircuitException or Polly.Timeout.TimeoutRejectedException)
        {
            Interlocked.Increment(ref _fallbacks);
            LogUnavailable(_logger, "write", error.Message);
        }
    }

    /// <summary>Connects without failing when Redis is down (it reconnects in the background).</summary>
    public static IConnectionMultiplexer Connect(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        Configure(options);
        return ConnectionMultiplexer.Connect(options);
    }

    /// <summary>
    /// The connection settings a cache needs: start and stay up while Redis is down, and fail fast while disconnected
    /// instead of queueing until a timeout (scoring then computes instead). Services pass it to Aspire's AddRedisClient.
    /// </summary>
    public static void Configure(ConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 2000;
        options.AsyncTimeout = 2000;
        options.BacklogPolicy = BacklogPolicy.FailFast;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable for a cache {Operation} ({Reason}); computing instead")]
    private static partial void LogUnavailable(ILogger logger, string operation, string reason);
}

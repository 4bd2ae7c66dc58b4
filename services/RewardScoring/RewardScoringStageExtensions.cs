using PrefSuite.Caching;
using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Caching;
using PrefSuite.Stages.Scoring;
using PrefSuite.Stages.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.RewardScoringService;

/// <summary>
/// Registers the scoring stage. Scorers come from Scoring:Scorers (specs such as "simulated:sorting?noise=0.1",
/// "programmatic:sorting", "onnx:/path/to/bundle"); the first is the default. The cache is Redis when
/// ConnectionStrings:redis is set, in-process memory otherwise.
/// </summary>
public static class RewardScoringStageExtensions
{
    public static WebApplicationBuilder AddRewardScoringStage(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPolicyStore(builder.Configuration);
        var specs = builder.Configuration.GetSection("Scoring:Scorers").Get<string[]>() is { Length: > 0 } configured ? configured : ["programmatic:sorting"];
        if (builder.Configuration.GetConnectionString("redis") is { Length: > 0 })
        {
            // Aspire's Redis client: the multiplexer with its logging and traces; its health check is off because a
            // missing cache is Degraded here (scoring goes on uncached), not Unhealthy.
            builder.AddRedisClient("redis", settings => settings.DisableHealthChecks = true, RedisRewardCache.Configure);
            builder.Services.AddSingleton<IRewardCache>(sp => new RedisRewardCache(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), sp.GetRequiredService<ILogger<RedisRewardCache>>()));
            builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        }
        else
        {
            builder.Services.AddSingleton<IRewardCache, MemoryRewardCache>();
        }

        builder.Services.AddSingleton(sp => new ScoringStageProvider(specs, sp.GetRequiredService<PolicyStore>(), sp.GetRequiredService<IRewardCache>(), sp.GetRequiredService<ILogger<ScoringStage>>()));
        if (builder.Configuration.HasMessaging())
        {
            builder.Services.AddStageConsumer(sp => new ScoreHandler(sp.GetRequiredService<ScoringStageProvider>().GetAsync, sp.GetRequiredService<RunSpecs>()), prefetch: 64);
        }

        return builder;
    }
}

/// <summary>Builds the scoring stage once, on first use (scorers may load models).</summary>
public sealed class ScoringStageProvider(IReadOnlyList<string> specs, PolicyStore policies, IRewardCache cache, ILogger<ScoringStage> logger)
{
    private readonly Lazy<Task<ScoringStage>> _stage = new(async () =>
    {
        var scorers = new List<Models.Rewards.IRewardScorer>();
        foreach (var spec in specs)
        {
            scorers.Add(await ScorerCatalog.CreateAsync(spec, policies, logger).ConfigureAwait(false));
        }

        return new ScoringStage(scorers, cache, [scorers[0].Id]);
    });

    public Task<ScoringStage> GetAsync() => _stage.Value;
}

/// <summary>Readiness of the cache: Degraded (not Unhealthy) without Redis, because scoring goes on uncached.</summary>
internal sealed class RedisHealthCheck(StackExchange.Redis.IConnectionMultiplexer redis) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(redis.IsConnected
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy("connected to Redis")
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Degraded("Redis is not connected: scoring runs uncached"));
}

using PrefSuite.ServiceHosting;

namespace PrefSuite.RewardScoringService;

/// <summary>The reward scoring service: gRPC RewardScoringService and the prefsuite.score consumer, with the Redis cache.</summary>
public static class RewardScoringServiceApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPrefSuiteStageHost();
        builder.AddRewardScoringStage();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapGrpcService<RewardScoringGrpcService>();
        app.MapPrefSuiteStageEndpoints();
        return app;
    }
}

using PrefSuite.ServiceHosting;

namespace PrefSuite.SamplingService;

/// <summary>The sampling service: gRPC SamplingService, OpenAI-compatible /v1/completions and /v1/chat/completions, and the prefsuite.sample consumer.</summary>
public static class SamplingServiceApp
{
    /// <param name="configure">Adjusts the builder before the app is built (tests swap in a test server).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPrefSuiteStageHost();
        builder.AddSamplingStage();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapGrpcService<SamplingGrpcService>();
        app.MapOpenAiEndpoints();
        app.MapPrefSuiteStageEndpoints();
        return app;
    }
}

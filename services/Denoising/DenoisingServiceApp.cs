using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Denoising;
using PrefSuite.Workflow;

namespace PrefSuite.DenoisingService;

/// <summary>The denoising service: gRPC DenoisingService and the prefsuite.denoise consumer.</summary>
public static class DenoisingServiceApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPrefSuiteStageHost(maxMessageBytes: 64 * 1024 * 1024);
        if (builder.Configuration.HasMessaging())
        {
            builder.Services.AddStageConsumer(sp => new DenoiseHandler(sp.GetRequiredService<RunSpecs>()), prefetch: 64);
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGrpcService<DenoisingGrpcService>();
        app.MapPrefSuiteStageEndpoints();
        return app;
    }
}

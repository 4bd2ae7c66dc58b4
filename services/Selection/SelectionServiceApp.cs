using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Selection;
using PrefSuite.Workflow;

namespace PrefSuite.SelectionService;

/// <summary>The selection service: gRPC SelectionService and the prefsuite.select consumer (per prompt and per dataset).</summary>
public static class SelectionServiceApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPrefSuiteStageHost(maxMessageBytes: 64 * 1024 * 1024);
        builder.Services.AddSingleton<SelectionStage>();
        if (builder.Configuration.HasMessaging())
        {
            builder.Services.AddStageConsumer(sp => new SelectHandler(sp.GetRequiredService<SelectionStage>(), sp.GetRequiredService<RunSpecs>()), prefetch: 64);
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGrpcService<SelectionGrpcService>();
        app.MapPrefSuiteStageEndpoints();
        return app;
    }
}

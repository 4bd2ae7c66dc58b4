using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrefSuite.Messaging;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.ServiceHosting;

/// <summary>Hosts a stage: Kestrel endpoints, gRPC (auth, error mapping, size limits), health, reflection, stores, messaging.</summary>
public static class StageHostExtensions
{
    /// <summary>
    /// Everything a stage service needs. gRPC listens on GRPC_PORT (HTTP/2 only, so plain-text gRPC works) and health
    /// and HTTP endpoints on HTTP_PORT (HTTP/1.1); without them Kestrel's usual configuration applies (tests use a test
    /// server). Messaging is registered when ConnectionStrings:rabbitmq is set.
    /// </summary>
    public static WebApplicationBuilder AddPrefSuiteStageHost(this WebApplicationBuilder builder, int maxMessageBytes = 16 * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults();

        // One thread per process for the built-in model: as fast for its size, and replicas on one machine do not fight.
        TorchSharp.torch.set_num_threads(builder.Configuration.GetValue("Models:Threads", 1));
        var grpcPort = builder.Configuration["GRPC_PORT"];
        var httpPort = builder.Configuration["HTTP_PORT"];
        if (grpcPort is not null && httpPort is not null)
        {
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.ListenAnyIP(int.Parse(grpcPort, CultureInfo.InvariantCulture), o => o.Protocols = HttpProtocols.Http2);
                kestrel.ListenAnyIP(int.Parse(httpPort, CultureInfo.InvariantCulture), o => o.Protocols = HttpProtocols.Http1);
            });
        }

        builder.Services.AddOptions<SecurityOptions>().Bind(builder.Configuration.GetSection(SecurityOptions.Section))
            .Validate(o => !o.RequireApiKey || o.ApiKey.Length >= 16, "Security:RequireApiKey is set: configure Security:ApiKey (at least 16 characters).")
            .ValidateOnStart();
        builder.Services.AddGrpc(options =>
        {
            options.Interceptors.Add<ApiKeyInterceptor>();
            options.Interceptors.Add<ErrorMappingInterceptor>();
            options.MaxReceiveMessageSize = maxMessageBytes;
            options.MaxSendMessageSize = maxMessageBytes;
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck("stage", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
        builder.Services.AddSingleton<IArtifactStore>(_ => new FileArtifactStore(builder.Configuration["Artifacts:Root"] ?? Path.Combine(Path.GetTempPath(), "prefsuite-artifacts")));
        builder.Services.AddSingleton<PolicyStore>();
        builder.Services.AddSingleton(TimeProvider.System);
        if (!string.IsNullOrEmpty(builder.Configuration.GetConnectionString("rabbitmq")))
        {
            builder.Services.AddPrefSuiteMessaging(builder.Configuration);
            builder.Services.AddSingleton<RunSpecs>();
        }

        return builder;
    }

    /// <summary>Maps gRPC health and reflection and /health + /alive.</summary>
    public static WebApplication MapPrefSuiteStageEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapDefaultEndpoints();
        return app;
    }

    /// <summary>Whether this process consumes queues (messaging configured).</summary>
    public static bool HasMessaging(this IConfiguration configuration) => !string.IsNullOrEmpty(configuration.GetConnectionString("rabbitmq"));
}

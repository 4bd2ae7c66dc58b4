using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrefSuite.Messaging;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.ServiceHosting;

/// <summary>Hosts a stage: Kestrel endpoints, gRPC (auth, error mapping, size limits), health, reflection, stores, messaging.</summary>
public static class StageHostExtensions
{
    /// <summary>
    /// Everything a stage service needs. gRPC listens on GRPC_PORT (HTTP/2 only, so plain-text gRPC works) and health
    /// and HTTP endpoints on HTTP_PORT (HTTP/1.1); without them Kestrel's usual configuration applies (tests use a test
    /// server). Two ports, because Kestrel serves only HTTP/1.1 on a cleartext endpoint configured for both (it chooses
    /// HTTP/2 by TLS ALPN alone, and logs Http2DisabledWithHttp1AndNoTls). Deployed, GRPC_PORT is the container app's
    /// one ingress (gRPC, gRPC health, reflection) and HTTP_PORT stays inside the container for its health probes.
    /// Messaging is registered when ConnectionStrings:rabbitmq is set. Hosts that run models add <c>AddPolicyStore</c>
    /// (PrefSuite.Stages.Models) themselves.
    /// </summary>
    public static WebApplicationBuilder AddPrefSuiteStageHost(this WebApplicationBuilder builder, int maxMessageBytes = 16 * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults();

        var grpcPort = builder.Configuration["GRPC_PORT"];
        var httpPort = builder.Configuration["HTTP_PORT"];
        var security = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        if (grpcPort is not null && httpPort is not null)
        {
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                // Loopback unless configured otherwise; listening on every interface is refused without an API key (below).
                void Listen(string port, HttpProtocols protocols)
                {
                    var number = int.Parse(port, CultureInfo.InvariantCulture);
                    if (security.ListensOnLoopback)
                    {
                        kestrel.ListenLocalhost(number, o => o.Protocols = protocols);
                    }
                    else
                    {
                        kestrel.ListenAnyIP(number, o => o.Protocols = protocols);
                    }
                }

                Listen(grpcPort, HttpProtocols.Http2);
                Listen(httpPort, HttpProtocols.Http1);
            });
        }

        builder.Services.AddOptions<SecurityOptions>().Bind(builder.Configuration.GetSection(SecurityOptions.Section))
            .Validate(o => !o.Problems().Any(), "Security settings are refused; see the log for which key.")
            .ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<SecurityOptions>, SecurityValidation>();
        builder.Services.AddGrpc(options =>
        {
            options.Interceptors.Add<ApiKeyInterceptor>();
            options.Interceptors.Add<ErrorMappingInterceptor>();
            options.MaxReceiveMessageSize = maxMessageBytes;
            options.MaxSendMessageSize = maxMessageBytes;
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck("stage", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
        builder.Services.AddOptions<ArtifactStoreOptions>().Bind(builder.Configuration.GetSection(ArtifactStoreOptions.Section))
            .Configure(o => o.ConnectionString = builder.Configuration.GetConnectionString("artifacts") ?? o.ConnectionString)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ArtifactStoreOptions>>().Value.Create());
        builder.Services.AddSingleton(TimeProvider.System);
        if (!string.IsNullOrEmpty(builder.Configuration.GetConnectionString(MessagingServiceCollectionExtensions.ConnectionName)))
        {
            builder.AddPrefSuiteMessaging();
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
    public static bool HasMessaging(this IConfiguration configuration) => !string.IsNullOrEmpty(configuration.GetConnectionString(MessagingServiceCollectionExtensions.ConnectionName));
}

/// <summary>Security settings checked at start; the failure names the key.</summary>
internal sealed class SecurityValidation : Microsoft.Extensions.Options.IValidateOptions<SecurityOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, SecurityOptions options) =>
        options.Problems().ToArray() is { Length: > 0 } problems
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problems)
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}

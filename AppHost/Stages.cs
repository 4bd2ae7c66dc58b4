using Microsoft.Extensions.Configuration;

namespace PrefSuite.AppHost;

/// <summary>
/// The six services. Run locally, each gets a gRPC endpoint (HTTP/2), an HTTP endpoint for health and the shared artifact
/// folder. Published (the manifest azd deploys to Azure Container Apps), each gets one external endpoint, gRPC over
/// HTTP/2 (a container app has one ingress), a health port inside its container for the probes, the Azure Blob artifact
/// store every replica shares, and its secrets as parameters.
/// </summary>
public static class Stages
{
    /// <summary>The port every service serves gRPC on in its container: the ingress's target port.</summary>
    public const int ContainerPort = 8080;

    /// <summary>
    /// The HTTP/1.1 port of /health and /alive in the container, for the probes only (no ingress): Kestrel does not serve
    /// cleartext HTTP/2 and HTTP/1.1 on one port, and probes speak HTTP/1.1.
    /// </summary>
    public const int HealthPort = 8081;

    public static void Add(IDistributedApplicationBuilder builder, InfrastructureResources infrastructure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(infrastructure);
        var publishing = builder.ExecutionContext.IsPublishMode;
        // Generated once by the deployment tool (azd keeps it in infra.parameters.api_key), or set and rotated there.
        var apiKey = publishing ? builder.AddParameter("api-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true) : null;

        // Published: an Azure Storage connection string (a secret parameter), never a folder of the publishing machine.
        var artifacts = publishing ? builder.AddConnectionString("artifacts") : null;
        var artifactsRoot = builder.Configuration["Artifacts:Root"] ?? Path.Combine(Path.GetTempPath(), "prefsuite-artifacts");
        var scorers = builder.Configuration.GetSection("Scoring:Scorers").GetChildren().Select(c => c.Value!).ToArray();
        if (scorers.Length == 0)
        {
            scorers = ["simulated:sorting?noise=0.1&seed=3", "programmatic:sorting"];
        }

        IResourceBuilder<ProjectResource> Service<TProject>(string name, bool scalable = true)
            where TProject : IProjectMetadata, new()
        {
            var service = builder.AddProject<TProject>(name)
                .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString)
                .WithReference(infrastructure.RabbitMq)
                .WithEnvironment("Security__RequireApiKey", publishing ? "true" : "false")
                .WithEnvironment("Security__Listen", publishing ? "any" : "loopback");
            if (publishing)
            {
                // One endpoint, one ingress: HTTP/2 end to end (gRPC, gRPC health, reflection). The probes' port is
                // configuration, not an endpoint, so no second ingress port appears.
                service.WithEndpoint(name: "grpc", scheme: "http", env: "GRPC_PORT", targetPort: ContainerPort, isExternal: true)
                    .WithEndpoint("grpc", e => e.Transport = "http2")
                    .WithEnvironment("HTTP_PORT", HealthPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .WithEnvironment("Artifacts__Kind", "azureblob")
                    .WithReference(artifacts!)
                    .WithEnvironment("Security__ApiKey", apiKey!);
            }
            else
            {
                var fixedPort = builder.Configuration.GetValue<int?>($"Stages:{name}:Port");
                service.WithEndpoint(port: fixedPort, name: "grpc", scheme: "http", env: "GRPC_PORT")
                    .WithEndpoint("grpc", e => e.Transport = "http2")
                    .WithHttpEndpoint(name: "http", env: "HTTP_PORT")
                    .WithHttpHealthCheck("/health", endpointName: "http")
                    .WithEnvironment("Artifacts__Root", artifactsRoot);
            }

            foreach (var dependency in infrastructure.WaitFor)
            {
                service.WaitFor(dependency);
            }

            // Replicas of a stage consume its queue together (competing consumers): Stages:<name>:Replicas locally; in
            // Azure each stage scales on its queue's length (AppHost/infra/<name>.tmpl.yaml, docs/deploy.md).
            if (scalable && builder.Configuration.GetValue<int?>($"Stages:{name}:Replicas") is { } replicas && replicas > 1)
            {
                service.WithReplicas(replicas);
            }

            return service;
        }

        Service<Projects.PrefSuite_SamplingService>("sampling");
        var scoring = Service<Projects.PrefSuite_RewardScoringService>("scoring").WithReference(infrastructure.Redis);
        for (var i = 0; i < scorers.Length; i++)
        {
            scoring.WithEnvironment($"Scoring__Scorers__{i}", scorers[i]);
        }

        Service<Projects.PrefSuite_DenoisingService>("denoising");
        Service<Projects.PrefSuite_SelectionService>("selection");
        Service<Projects.PrefSuite_TrainingService>("training");

        // The pipeline owns the runs' state machine and ledger writer: one replica, however the stages scale.
        Service<Projects.PrefSuite_PipelineService>("pipeline", scalable: false)
            .WithEnvironment("Pipeline__DefaultPolicySftSteps", builder.Configuration["Pipeline:DefaultPolicySftSteps"] ?? "1500");
    }
}

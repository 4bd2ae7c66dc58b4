using Microsoft.Extensions.Configuration;

namespace PrefSuite.AppHost;

/// <summary>The six services: each gets a gRPC endpoint (HTTP/2), an HTTP endpoint for health, the shared artifact root, and its infrastructure.</summary>
public static class Stages
{
    public static void Add(IDistributedApplicationBuilder builder, InfrastructureResources infrastructure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(infrastructure);
        var publishing = builder.ExecutionContext.IsPublishMode;
        var artifacts = builder.Configuration["Artifacts:Root"] ?? Path.Combine(Path.GetTempPath(), "prefsuite-artifacts");
        var apiKey = publishing ? builder.AddParameter("api-key", secret: true) : null;
        var scorers = builder.Configuration.GetSection("Scoring:Scorers").GetChildren().Select(c => c.Value!).ToArray();
        if (scorers.Length == 0)
        {
            scorers = ["simulated:sorting?noise=0.1&seed=3", "programmatic:sorting"];
        }

        IResourceBuilder<ProjectResource> Service<TProject>(string name)
            where TProject : IProjectMetadata, new()
        {
            var fixedPort = builder.Configuration.GetValue<int?>($"Stages:{name}:Port");
            var service = builder.AddProject<TProject>(name)
                .WithEndpoint(port: fixedPort, name: "grpc", scheme: "http", env: "GRPC_PORT")
                .WithHttpEndpoint(name: "http", env: "HTTP_PORT")
                .WithHttpHealthCheck("/health", endpointName: "http")
                .WithEnvironment("Artifacts__Root", artifacts)
                .WithReference(infrastructure.RabbitMq)
                .WithEnvironment("Security__RequireApiKey", publishing ? "true" : "false")
                .WithEnvironment("Security__Listen", publishing ? "any" : "loopback");
            service.WithEndpoint("grpc", e => e.Transport = "http2");
            if (apiKey is not null)
            {
                service.WithEnvironment("Security__ApiKey", apiKey);
            }

            foreach (var dependency in infrastructure.WaitFor)
            {
                service.WaitFor(dependency);
            }

            // Replicas of a stage consume its queue together (competing consumers): Stages:<name>:Replicas.
            if (builder.Configuration.GetValue<int?>($"Stages:{name}:Replicas") is { } replicas && replicas > 1)
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
        Service<Projects.PrefSuite_PipelineService>("pipeline")
            .WithEnvironment("Pipeline__DefaultPolicySftSteps", builder.Configuration["Pipeline:DefaultPolicySftSteps"] ?? "1500");
    }
}

using PrefSuite.AppHost;
using PrefSuite.AppHost.Deployment;

var builder = DistributedApplication.CreateBuilder(args);
var infrastructure = Infrastructure.Add(builder);
Stages.Add(builder, infrastructure);
builder.Build().Run();
infrastructure.CleanUpAfterExit();

// scripts/deploy-templates: after publishing the manifest, the containerApp templates azd deploys the services with.
if (builder.ExecutionContext.IsPublishMode && builder.Configuration["Deploy:Templates"] is { Length: > 0 } templates)
{
    var manifest = builder.Configuration["Pipeline:OutputPath"] ?? throw new InvalidOperationException("Deploy:Templates needs --output-path (the manifest).");
    foreach (var file in ContainerAppTemplates.Write(manifest, templates, builder.Configuration, Stages.HealthPort))
    {
        Console.WriteLine($"wrote {file}");
    }
}

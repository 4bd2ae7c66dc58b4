using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using PrefSuite.AppHost.Deployment;
using PrefSuite.Workflow;

namespace PrefSuite.AppHost.Tests;

/// <summary>
/// The publish output azd deploys to Azure Container Apps: the Aspire manifest the AppHost writes, and the containerApp
/// templates (AppHost/infra) that add scale rules. One publish per test class; each test checks one promise of it.
/// </summary>
public sealed class DeploymentManifestTests : IClassFixture<DeploymentManifestTests.Published>
{
    private static readonly string[] Services = ["sampling", "scoring", "denoising", "selection", "training", "pipeline"];

    private static readonly Dictionary<string, Topic> Queues = new(StringComparer.Ordinal)
    {
        ["sampling"] = Topic.Sample,
        ["scoring"] = Topic.Score,
        ["denoising"] = Topic.Denoise,
        ["selection"] = Topic.Select,
        ["training"] = Topic.Train,
    };

    private readonly Published _published;

    public DeploymentManifestTests(Published published) => _published = published;

    private JsonElement Resources => _published.Manifest.RootElement.GetProperty("resources");

    [Fact]
    public void EveryServiceIsAProjectWithExactlyOneExternalGrpcIngress()
    {
        foreach (var service in Services)
        {
            var resource = Resources.GetProperty(service);
            Assert.Equal("project.v0", resource.GetProperty("type").GetString());
            var bindings = resource.GetProperty("bindings").EnumerateObject().ToArray();
            var binding = Assert.Single(bindings);
            Assert.Equal("http", binding.Value.GetProperty("scheme").GetString());
            Assert.Equal("http2", binding.Value.GetProperty("transport").GetString());
            Assert.True(binding.Value.GetProperty("external").GetBoolean(), service);
            Assert.Equal(Stages.ContainerPort, binding.Value.GetProperty("targetPort").GetInt32());

            // The health port is the probes' own, inside the container: configuration, not a second ingress.
            var env = resource.GetProperty("env");
            Assert.Equal($"{{{service}.bindings.{binding.Name}.targetPort}}", env.GetProperty("GRPC_PORT").GetString());
            Assert.Equal(Stages.HealthPort.ToString(System.Globalization.CultureInfo.InvariantCulture), env.GetProperty("HTTP_PORT").GetString());
        }

        // Nothing else faces the Internet: the broker and the cache are reachable inside the environment only.
        foreach (var resource in Resources.EnumerateObject().Where(r => !Services.Contains(r.Name) && r.Value.TryGetProperty("bindings", out _)))
        {
            Assert.All(resource.Value.GetProperty("bindings").EnumerateObject(), b => Assert.False(b.Value.TryGetProperty("external", out var external) && external.GetBoolean(), resource.Name));
        }
    }

    [Fact]
    public void SecretsAndTheSharedArtifactStoreAreSecretParameters()
    {
        Assert.True(IsSecretParameter("api-key"));
        Assert.True(IsSecretParameter("rabbitmq-password"));
        Assert.True(IsSecretParameter("artifacts"));
        Assert.Equal("{artifacts.value}", Resources.GetProperty("artifacts").GetProperty("connectionString").GetString());
        foreach (var service in Services)
        {
            var env = Resources.GetProperty(service).GetProperty("env");
            Assert.Equal("{api-key.value}", env.GetProperty("Security__ApiKey").GetString());
            Assert.Equal("true", env.GetProperty("Security__RequireApiKey").GetString());
            Assert.Equal("any", env.GetProperty("Security__Listen").GetString());
            Assert.Equal("azureblob", env.GetProperty("Artifacts__Kind").GetString());
            Assert.Equal("{artifacts.connectionString}", env.GetProperty("ConnectionStrings__artifacts").GetString());
            Assert.Equal("{rabbitmq.connectionString}", env.GetProperty("ConnectionStrings__rabbitmq").GetString());
            Assert.False(env.TryGetProperty("Artifacts__Root", out _), $"{service}: a deployed service has no artifact folder, every replica shares the blob store");
        }

        Assert.Equal("{redis.connectionString}", Resources.GetProperty("scoring").GetProperty("env").GetProperty("ConnectionStrings__redis").GetString());
    }

    [Fact]
    public void TheBrokerKeepsItsQueuesOnAVolume()
    {
        var rabbit = Resources.GetProperty("rabbitmq");
        Assert.Equal("container.v0", rabbit.GetProperty("type").GetString());
        var volume = Assert.Single(rabbit.GetProperty("volumes").EnumerateArray());
        Assert.Equal("/var/lib/rabbitmq", volume.GetProperty("target").GetString());
        Assert.False(volume.GetProperty("readOnly").GetBoolean());
    }

    [Fact]
    public void NoPathOfThePublishingMachineAppearsInTheManifest()
    {
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var forbidden = new[] { "/tmp", "/home", "/work", "/root", repository.TrimEnd('/'), Path.GetTempPath().TrimEnd('/'), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) }
            .Where(p => p.Length > 1).Distinct().ToArray();
        foreach (var (location, value) in Strings(_published.Manifest.RootElement, "$"))
        {
            Assert.DoesNotContain(forbidden, f => value.Contains(f, StringComparison.Ordinal));
            // Rooted paths are paths inside a container only (a volume's mount point, an entry point), never this machine's.
            Assert.True(!Path.IsPathRooted(value) || location.EndsWith(".target", StringComparison.Ordinal) || location.EndsWith(".entrypoint", StringComparison.Ordinal), $"{location} = {value}");
        }
    }

    [Fact]
    public void ThePipelineRunsExactlyOneReplicaAndEveryStageScalesOnItsQueue()
    {
        var pipeline = Scale(_published.Templates["pipeline"]);
        Assert.Equal(("1", "1"), (pipeline["minReplicas"], pipeline["maxReplicas"]));
        Assert.DoesNotContain("rules:", _published.Templates["pipeline"], StringComparison.Ordinal);

        foreach (var (service, topic) in Queues)
        {
            var template = _published.Templates[service];
            var scale = Scale(template);
            Assert.True(int.Parse(scale["maxReplicas"], System.Globalization.CultureInfo.InvariantCulture) > 1, service);
            Assert.Equal("rabbitmq", scale["type"]);
            Assert.Equal(topic.QueueName(), scale["queueName"]);
            Assert.Equal("QueueLength", scale["mode"]);
            Assert.Equal("connectionstrings-rabbitmq", scale["secretRef"]);
            Assert.Equal("host", scale["triggerParameter"]);
        }
    }

    [Fact]
    public void TheTemplatesKeepSecretsInSecretsAndProbeTheHealthPort()
    {
        foreach (var service in Services)
        {
            var template = _published.Templates[service];
            Assert.Contains("      targetPort: 8080\n      transport: http2\n", template, StringComparison.Ordinal);
            Assert.Contains("          - name: Security__ApiKey\n            secretRef: security-apikey\n", template, StringComparison.Ordinal);
            Assert.Contains("        value: '{{ securedParameter \"api_key\" }}'\n", template, StringComparison.Ordinal);
            Assert.Contains("          - name: ConnectionStrings__artifacts\n            secretRef: connectionstrings-artifacts\n", template, StringComparison.Ordinal);
            Assert.Contains("              path: /health\n              port: 8081\n", template, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheCommittedTemplatesAreWhatTheAppHostWrites()
    {
        var committed = Path.Combine(Published.Repository, "AppHost", "infra");
        Assert.Equal(Services.Order(), Directory.GetFiles(committed, "*.tmpl.yaml").Select(f => Path.GetFileName(f)[..^".tmpl.yaml".Length]).Order());
        foreach (var service in Services)
        {
            Assert.True(
                File.ReadAllText(Path.Combine(committed, service + ".tmpl.yaml")) == _published.Templates[service],
                $"AppHost/infra/{service}.tmpl.yaml differs from what the AppHost writes: run scripts/deploy-templates and commit the result.");
        }
    }

    [Fact]
    public void ThePipelineCannotBeConfiguredBeyondOneReplica()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Stages:pipeline:MaxReplicas", "3")]).Build();
        var refused = Assert.Throws<InvalidOperationException>(() => ContainerAppTemplates.Scale("pipeline", configuration));
        Assert.Contains("exactly one replica", refused.Message, StringComparison.Ordinal);
        var sampling = ContainerAppTemplates.Scale("sampling", new ConfigurationBuilder().AddInMemoryCollection([new("Stages:sampling:MaxReplicas", "20")]).Build());
        Assert.Equal(20, sampling.MaxReplicas);
    }

    [Fact]
    public async Task AnExternalBrokerAndCacheAreSecretConnectionStringsWithTheSameTemplates()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "published-external-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var templates = new Dictionary<string, string>(StringComparer.Ordinal);
            var (manifest, _) = await Published.PublishAsync(folder, templates, "--Infrastructure:Mode=external");
            using (manifest)
            {
                var resources = manifest.RootElement.GetProperty("resources");
                foreach (var server in new[] { "rabbitmq", "redis" })
                {
                    var resource = resources.GetProperty(server);
                    Assert.Equal("parameter.v0", resource.GetProperty("type").GetString());
                    Assert.Equal($"{{{server}.value}}", resource.GetProperty("connectionString").GetString());
                    Assert.True(resource.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
                }

                Assert.DoesNotContain(resources.EnumerateObject(), r => r.Value.GetProperty("type").GetString() == "container.v0");
            }

            Assert.Equal(_published.Templates, templates);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private bool IsSecretParameter(string name)
    {
        var resource = Resources.GetProperty(name);
        return resource.GetProperty("type").GetString() == "parameter.v0"
            && resource.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean();
    }

    /// <summary>The "key: value" lines of a template's scale block (replica bounds and its one rule).</summary>
    private static Dictionary<string, string> Scale(string template) =>
        template[template.IndexOf("\n    scale:\n", StringComparison.Ordinal)..template.IndexOf("\ntags:", StringComparison.Ordinal)]
            .Split('\n')
            .Select(l => l.Trim().TrimStart('-', ' ').Split(": ", 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim('\''), StringComparer.Ordinal);

    private static IEnumerable<(string Location, string Value)> Strings(JsonElement element, string location) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value, $"{location}.{p.Name}")),
        JsonValueKind.Array => element.EnumerateArray().SelectMany((e, i) => Strings(e, $"{location}[{i}]")),
        JsonValueKind.String => [(location, element.GetString()!)],
        _ => [],
    };

    /// <summary>Publishes once: `dotnet run --project AppHost -- --publisher manifest` with the templates, as scripts/deploy-templates does.</summary>
    public sealed class Published : IAsyncLifetime
    {
        public static readonly string Repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

        // Under the test's output folder, inside the repository: the manifest's project paths are relative to it.
        private readonly string _folder = Path.Combine(AppContext.BaseDirectory, "published-" + Guid.NewGuid().ToString("N")[..8]);

        public JsonDocument Manifest { get; private set; } = null!;

        public Dictionary<string, string> Templates { get; } = new(StringComparer.Ordinal);

        public async Task InitializeAsync() => (Manifest, _) = await PublishAsync(_folder, Templates);

        /// <summary>Runs the AppHost's publisher into <paramref name="folder"/>; the templates land in <paramref name="templates"/>.</summary>
        public static async Task<(JsonDocument Manifest, string Log)> PublishAsync(string folder, Dictionary<string, string> templates, params string[] settings)
        {
            var project = Path.Combine(Repository, "AppHost", "PrefSuite.AppHost.csproj");
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var manifest = Path.Combine(folder, "aspire-manifest.json");
            var start = new ProcessStartInfo("dotnet", ["run", "--project", project, "-c", configuration, "--no-build", "--", "--publisher", "manifest", "--output-path", manifest, "--Deploy:Templates", Path.Combine(folder, "infra"), .. settings])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var log = await output + await error;
            Assert.True(process.ExitCode == 0, log);
            foreach (var file in Directory.GetFiles(Path.Combine(folder, "infra"), "*.tmpl.yaml"))
            {
                templates[Path.GetFileName(file)[..^".tmpl.yaml".Length]] = await File.ReadAllTextAsync(file);
            }

            return (JsonDocument.Parse(await File.ReadAllTextAsync(manifest)), log);
        }

        public Task DisposeAsync()
        {
            Manifest?.Dispose();
            Directory.Delete(_folder, recursive: true);
            return Task.CompletedTask;
        }
    }
}

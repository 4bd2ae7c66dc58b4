using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace PrefSuite.AppHost.Deployment;

/// <summary>How one service runs in Azure Container Apps beyond what the manifest says (section "Stages:&lt;name&gt;").</summary>
/// <param name="Queue">The RabbitMQ queue the service consumes, whose length scales it (KEDA); null: no scale rule.</param>
public sealed record ContainerAppScale(string? Queue, int MinReplicas, int MaxReplicas, int MessagesPerReplica, string Cpu, string Memory, string? WorkloadProfile);

/// <summary>
/// Writes the containerApp templates azd deploys the services with (AppHost/infra/&lt;name&gt;.tmpl.yaml: azd uses such a
/// file instead of the one it would generate from the manifest). The Aspire manifest cannot say how a project scales, so
/// these add what it lacks: replica bounds (the pipeline pinned to one), a KEDA RabbitMQ rule per stage on its queue's
/// length, CPU and memory, a workload profile (GPUs for sampling and training), and probes on the health port. Everything
/// else is the manifest's, rendered the way azd renders it: literals as values, connection strings and secret
/// parameters as container-app secrets resolved by azd at deploy time.
/// </summary>
public static partial class ContainerAppTemplates
{
    /// <summary>The defaults; each value can be overridden in the AppHost's configuration, e.g. Stages:sampling:MaxReplicas.</summary>
    public static IReadOnlyDictionary<string, ContainerAppScale> Defaults { get; } = new Dictionary<string, ContainerAppScale>(StringComparer.Ordinal)
    {
        ["sampling"] = new("prefsuite.sample", 1, 10, 64, "2.0", "4Gi", null),
        ["scoring"] = new("prefsuite.score", 1, 10, 64, "2.0", "4Gi", null),
        ["denoising"] = new("prefsuite.denoise", 1, 10, 64, "0.5", "1Gi", null),
        ["selection"] = new("prefsuite.select", 1, 10, 64, "0.5", "1Gi", null),
        // A replica trains one job at a time: one waiting request is enough to add a replica.
        ["training"] = new("prefsuite.train", 1, 2, 1, "2.0", "4Gi", null),
        // The pipeline owns the runs' state machine and their ledgers: exactly one replica, never scaled.
        ["pipeline"] = new(null, 1, 1, 1, "0.5", "1Gi", null),
    };

    /// <summary>The scale settings of a service: the defaults, overridden by Stages:&lt;name&gt;:* (the pipeline stays at one replica).</summary>
    public static ContainerAppScale Scale(string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var defaults = Defaults.TryGetValue(name, out var known) ? known : throw new InvalidOperationException($"no scale settings for '{name}'");
        var section = configuration.GetSection($"Stages:{name}");
        var scale = defaults with
        {
            MinReplicas = section.GetValue("MinReplicas", defaults.MinReplicas),
            MaxReplicas = section.GetValue("MaxReplicas", defaults.MaxReplicas),
            MessagesPerReplica = section.GetValue("MessagesPerReplica", defaults.MessagesPerReplica),
            Cpu = section["Cpu"] ?? defaults.Cpu,
            Memory = section["Memory"] ?? defaults.Memory,
            WorkloadProfile = section["WorkloadProfile"] ?? defaults.WorkloadProfile,
        };
        if (defaults.Queue is null && (scale.MinReplicas != 1 || scale.MaxReplicas != 1))
        {
            throw new InvalidOperationException($"Stages:{name}: the {name} service runs exactly one replica (MinReplicas = MaxReplicas = 1).");
        }

        if (scale.MinReplicas < 0 || scale.MaxReplicas < Math.Max(1, scale.MinReplicas) || scale.MessagesPerReplica < 1)
        {
            throw new InvalidOperationException($"Stages:{name}: need 0 <= MinReplicas <= MaxReplicas, MaxReplicas >= 1 and MessagesPerReplica >= 1.");
        }

        return scale;
    }

    /// <summary>Writes &lt;folder&gt;/&lt;name&gt;.tmpl.yaml for every project of the manifest; returns the files written.</summary>
    public static IReadOnlyList<string> Write(string manifestPath, string folder, IConfiguration configuration, int healthPort)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var resources = manifest.RootElement.GetProperty("resources");
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var resource in resources.EnumerateObject().Where(r => r.Value.GetProperty("type").GetString() == "project.v0"))
        {
            var path = Path.Combine(folder, resource.Name + ".tmpl.yaml");
            File.WriteAllText(path, Render(resource.Name, resource.Value, resources, Scale(resource.Name, configuration), healthPort));
            written.Add(path);
        }

        return written;
    }

    /// <summary>The containerApp template of one project resource of the manifest.</summary>
    public static string Render(string name, JsonElement project, JsonElement resources, ContainerAppScale scale, int healthPort)
    {
        ArgumentNullException.ThrowIfNull(scale);
        var bindings = project.GetProperty("bindings").EnumerateObject().ToArray();
        if (bindings.Length != 1)
        {
            throw new InvalidOperationException($"{name}: a container app has one ingress; the manifest gives {bindings.Length} endpoints.");
        }

        var ingress = bindings[0].Value;
        var targetPort = ingress.GetProperty("targetPort").GetInt32();
        var values = new List<(string Name, string Value)>();
        var secrets = new List<(string Name, string Secret, string Value)>();
        foreach (var variable in project.GetProperty("env").EnumerateObject())
        {
            var value = variable.Value.GetString() ?? string.Empty;
            switch (Classify(name, variable.Name, value, resources, bindings[0].Name, targetPort))
            {
                case (false, var rendered):
                    values.Add((variable.Name, rendered));
                    break;
                case (true, var rendered):
                    secrets.Add((variable.Name, SecretName(variable.Name), rendered));
                    break;
            }
        }

        var yaml = new StringBuilder();
        void Line(string text) => yaml.Append(text).Append('\n');
        Line("# azd deploys this service with this file (AppHost/infra/<name>.tmpl.yaml replaces the template azd would generate).");
        Line("# Generated from the AppHost's manifest by scripts/deploy-templates (AppHost/Deployment/ContainerAppTemplates.cs):");
        Line("# change the AppHost or its configuration (Stages:<name>:MaxReplicas, ...) and run it again; do not edit by hand.");
        Line("api-version: 2024-03-01");
        Line("location: {{ .Env.AZURE_LOCATION }}");
        Line("identity:");
        Line("  type: UserAssigned");
        Line("  userAssignedIdentities:");
        Line("    ? \"{{ .Env.AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID }}\"");
        Line("    : {}");
        Line("properties:");
        Line("  environmentId: {{ .Env.AZURE_CONTAINER_APPS_ENVIRONMENT_ID }}");
        if (scale.WorkloadProfile is { Length: > 0 } profile)
        {
            Line($"  workloadProfileName: {Quote(profile)}");
        }

        Line("  configuration:");
        Line("    activeRevisionsMode: single");
        Line("    ingress:");
        Line($"      external: {(ingress.TryGetProperty("external", out var external) && external.GetBoolean() ? "true" : "false")}");
        Line($"      targetPort: {targetPort.ToString(CultureInfo.InvariantCulture)}");
        Line($"      transport: {ingress.GetProperty("transport").GetString()}");
        // Callers reach the services over TLS (https://<app>.<environment domain>, HTTP/2 with ALPN); the API key never travels in clear.
        Line("      allowInsecure: false");
        Line("    registries:");
        Line("      - server: {{ .Env.AZURE_CONTAINER_REGISTRY_ENDPOINT }}");
        Line("        identity: {{ .Env.AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID }}");
        if (secrets.Count > 0)
        {
            Line("    secrets:");
            foreach (var (_, secret, value) in secrets)
            {
                Line($"      - name: {secret}");
                Line($"        value: {value}");
            }
        }

        Line("  template:");
        Line("    containers:");
        Line("      - image: {{ .Image }}");
        Line($"        name: {name}");
        Line("        resources:");
        Line($"          cpu: {scale.Cpu}");
        Line($"          memory: {scale.Memory}");
        Line("        env:");
        Line("          - name: AZURE_CLIENT_ID");
        Line("            value: {{ .Env.MANAGED_IDENTITY_CLIENT_ID }}");
        foreach (var (variable, value) in values)
        {
            Line($"          - name: {variable}");
            Line($"            value: {value}");
        }

        foreach (var (variable, secret, _) in secrets)
        {
            Line($"          - name: {variable}");
            Line($"            secretRef: {secret}");
        }

        var port = healthPort.ToString(CultureInfo.InvariantCulture);
        Line("        probes:");
        Line("          - type: Liveness");
        Line("            httpGet:");
        Line("              path: /alive");
        Line($"              port: {port}");
        Line("          - type: Readiness");
        Line("            httpGet:");
        Line("              path: /health");
        Line($"              port: {port}");
        Line("    scale:");
        Line($"      minReplicas: {scale.MinReplicas.ToString(CultureInfo.InvariantCulture)}");
        Line($"      maxReplicas: {scale.MaxReplicas.ToString(CultureInfo.InvariantCulture)}");
        if (scale.Queue is { } queue)
        {
            var broker = secrets.SingleOrDefault(s => s.Name == "ConnectionStrings__rabbitmq").Secret
                ?? throw new InvalidOperationException($"{name}: scaling on {queue} needs ConnectionStrings__rabbitmq among its secrets.");
            Line("      rules:");
            Line($"        - name: {queue.Replace('.', '-')}-length");
            Line("          custom:");
            Line("            type: rabbitmq");
            Line("            metadata:");
            Line($"              queueName: {queue}");
            Line("              mode: QueueLength");
            Line($"              value: '{scale.MessagesPerReplica.ToString(CultureInfo.InvariantCulture)}'");
            Line("            auth:");
            Line($"              - secretRef: {broker}");
            Line("                triggerParameter: host");
        }

        Line("tags:");
        Line($"  azd-service-name: {name}");
        Line($"  aspire-resource-name: {name}");
        return yaml.ToString();
    }

    /// <summary>
    /// A manifest value as azd renders it: a literal, this app's own target port, a connection string or a secret
    /// parameter (a container-app secret azd fills in at deploy time), or a plain parameter. Anything else is refused, so
    /// a new kind of reference fails here rather than deploying wrong.
    /// </summary>
    private static (bool Secret, string Value) Classify(string app, string variable, string value, JsonElement resources, string endpoint, int targetPort)
    {
        if (!value.Contains('{', StringComparison.Ordinal))
        {
            return (false, Quote(value));
        }

        var reference = ReferencePattern().Match(value);
        if (!reference.Success)
        {
            throw new InvalidOperationException($"{app}: {variable} = '{value}' mixes text and references; only a whole reference is rendered.");
        }

        var (resource, property) = (reference.Groups["resource"].Value, reference.Groups["property"].Value);
        if (resource == app && property == $"bindings.{endpoint}.targetPort")
        {
            return (false, Quote(targetPort.ToString(CultureInfo.InvariantCulture)));
        }

        if (property == "connectionString")
        {
            return (true, $"'{{{{ connectionString \"{resource}\" }}}}'");
        }

        if (property == "value" && resources.TryGetProperty(resource, out var parameter) && parameter.GetProperty("type").GetString() == "parameter.v0")
        {
            var secret = parameter.GetProperty("inputs").GetProperty("value").TryGetProperty("secret", out var flag) && flag.GetBoolean();
            var key = resource.Replace('-', '_');
            return secret ? (true, $"'{{{{ securedParameter \"{key}\" }}}}'") : (false, $"'{{{{ parameter \"{key}\" }}}}'");
        }

        throw new InvalidOperationException($"{app}: {variable} = '{value}' is a reference these templates do not render.");
    }

    /// <summary>A container-app secret name: lower-case letters, digits and single dashes ("ConnectionStrings__rabbitmq" → "connectionstrings-rabbitmq").</summary>
    private static string SecretName(string variable) => DashesPattern().Replace(variable.ToLowerInvariant().Replace('_', '-'), "-").Trim('-');

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^\{(?<resource>[a-z0-9-]+)\.(?<property>[A-Za-z0-9.]+)\}$")]
    private static partial Regex ReferencePattern();

    [GeneratedRegex("-{2,}")]
    private static partial Regex DashesPattern();
}

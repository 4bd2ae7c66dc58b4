
namespace PrefSuite.AppHost;

/// <summary>The connection strings the services reference, and the resources to wait for.</summary>
public sealed record InfrastructureResources(
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> RabbitMq,
    IReadOnlyList<IResourceBuilder<IResource>> WaitFor,
    InfrastructureMode Mode,
    int? EpmdPort = null,
    string? DataFolder = null)
{
    /// <summary>
    /// The executables mode leaves two things behind its servers: Erlang's port mapper (it outlives the broker) and the
    /// servers' data folder. The orchestrator stops the servers only after the AppHost has exited, so a detached helper
    /// waits for the broker to unregister (up to two minutes), then stops the port mapper and deletes the folder.
    /// </summary>
    public void CleanUpAfterExit()
    {
        if (EpmdPort is not { } port || DataFolder is null)
        {
            return;
        }

        const string Script = """
            for _ in $(seq 1 120); do
              epmd -port "$EPMD_PORT" -names 2>/dev/null | grep -q '^name ' || break
              sleep 1
            done
            epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1
            rm -rf "$DATA_FOLDER"
            """;
        var start = new System.Diagnostics.ProcessStartInfo("setsid", ["sh", "-c", Script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["EPMD_PORT"] = start.Environment["ERL_EPMD_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DATA_FOLDER"] = DataFolder;
        using var helper = System.Diagnostics.Process.Start(start);
    }
}

/// <summary>Adds Redis and RabbitMQ in the chosen mode.</summary>
public static class Infrastructure
{
    public static InfrastructureResources Add(IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var mode = InfrastructureModes.Resolve(builder.Configuration["Infrastructure:Mode"], builder.ExecutionContext.IsPublishMode);
        return mode switch
        {
            InfrastructureMode.Containers => Containers(builder),
            InfrastructureMode.Executables => Executables(builder),
            _ => new InfrastructureResources(builder.AddConnectionString("redis"), builder.AddConnectionString("rabbitmq"), [], mode),
        };
    }

    /// <summary>
    /// Redis and RabbitMQ containers; published, the broker keeps its queues on a volume (an Azure Files share in
    /// Container Apps), so a restarted broker still holds every unfinished message. Redis is a cache: no volume.
    /// </summary>
    private static InfrastructureResources Containers(IDistributedApplicationBuilder builder)
    {
        var publishing = builder.ExecutionContext.IsPublishMode;
        var user = builder.AddParameter("rabbitmq-user", "prefsuite", publishValueAsDefault: true);
        // Published, the deployment tool generates the broker's password once and keeps it (azd: infra.parameters).
        var password = publishing
            ? builder.AddParameter("rabbitmq-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true)
            : builder.AddParameter("rabbitmq-password", secret: true);
        var redis = builder.AddRedis("redis");
        var rabbit = builder.AddRabbitMQ("rabbitmq", user, password);
        if (publishing)
        {
            rabbit.WithDataVolume("prefsuite-rabbitmq-data");
        }

        return new InfrastructureResources(redis, rabbit, [redis, rabbit], InfrastructureMode.Containers);
    }

    /// <summary>Debian's redis-server and rabbitmq-server, each on its own ports and data folder under the AppHost's.</summary>
    private static InfrastructureResources Executables(IDistributedApplicationBuilder builder)
    {
        var data = Path.Combine(builder.Configuration["Infrastructure:DataRoot"] ?? Path.Combine(Path.GetTempPath(), "prefsuite-apphost"), Guid.NewGuid().ToString("N")[..8]);
        var redisData = Directory.CreateDirectory(Path.Combine(data, "redis")).FullName;
        var redis = builder.AddExecutable("redis-server", InfrastructureModes.RedisServer, redisData)
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false, targetPort: FreePorts.Next())
            .WithArgs(context =>
            {
                var endpoint = ((IResourceWithEndpoints)context.Resource).GetEndpoint("tcp");
                context.Args.Add("--port");
                context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--save");
                context.Args.Add(string.Empty);
                context.Args.Add("--appendonly");
                context.Args.Add("no");
            });

        var rabbitHome = Directory.CreateDirectory(Path.Combine(data, "rabbitmq")).FullName;
        Directory.CreateDirectory(Path.Combine(rabbitHome, "mnesia"));
        Directory.CreateDirectory(Path.Combine(rabbitHome, "log"));
        File.WriteAllText(Path.Combine(rabbitHome, "enabled_plugins"), string.Empty);
        File.WriteAllText(Path.Combine(rabbitHome, "rabbitmq.conf"), "loopback_users = none\n");
        var node = "prefsuite-" + Guid.NewGuid().ToString("N")[..6];
        var epmdPort = FreePorts.Next();
        var rabbit = builder.AddExecutable("rabbitmq-server", InfrastructureModes.RabbitMqServer, rabbitHome)
            .WithEndpoint(name: "amqp", scheme: "tcp", env: "RABBITMQ_NODE_PORT", isProxied: false, targetPort: FreePorts.Next())
            .WithEnvironment("HOME", rabbitHome)
            .WithEnvironment("RABBITMQ_NODENAME", $"{node}@localhost")
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_DIST_PORT", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("ERL_EPMD_PORT", epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(rabbitHome, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(rabbitHome, "log"))
            .WithEnvironment("RABBITMQ_PID_FILE", Path.Combine(rabbitHome, "rabbit.pid"))
            .WithEnvironment("RABBITMQ_CONFIG_FILE", Path.Combine(rabbitHome, "rabbitmq"))
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(rabbitHome, "enabled_plugins"))
            .WithEnvironment("RABBITMQ_CONF_ENV_FILE", Path.Combine(rabbitHome, "rabbitmq-env.conf"));

        var redisEndpoint = redis.GetEndpoint("tcp");
        var amqpEndpoint = rabbit.GetEndpoint("amqp");
        var redisConnection = builder.AddConnectionString("redis", ReferenceExpression.Create($"{redisEndpoint.Property(EndpointProperty.Host)}:{redisEndpoint.Property(EndpointProperty.Port)}"));
        var rabbitConnection = builder.AddConnectionString("rabbitmq", ReferenceExpression.Create($"amqp://guest:guest@{amqpEndpoint.Property(EndpointProperty.Host)}:{amqpEndpoint.Property(EndpointProperty.Port)}/"));
        return new InfrastructureResources(redisConnection, rabbitConnection, [redis, rabbit], InfrastructureMode.Executables, epmdPort, data);
    }
}

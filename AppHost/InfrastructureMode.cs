using System.Diagnostics;

namespace PrefSuite.AppHost;

/// <summary>Where Redis and RabbitMQ come from (configuration "Infrastructure:Mode").</summary>
public enum InfrastructureMode
{
    /// <summary>Containers when a container runtime answers, else the local Debian servers as executables.</summary>
    Auto,

    /// <summary>Redis and RabbitMQ containers (Aspire's default integrations; what publish mode emits unless external).</summary>
    Containers,

    /// <summary>Local redis-server and rabbitmq-server started as executable resources on their own ports and data folders.</summary>
    Executables,

    /// <summary>Existing servers: ConnectionStrings:redis and ConnectionStrings:rabbitmq (published: secret parameters).</summary>
    External,
}

/// <summary>Chooses the mode: explicit configuration first, then what this machine can run.</summary>
public static class InfrastructureModes
{
    public const string RedisServer = "/usr/bin/redis-server";
    public const string RabbitMqServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    public static InfrastructureMode Resolve(string? configured, bool publishing)
    {
        var mode = string.IsNullOrWhiteSpace(configured) ? InfrastructureMode.Auto
            : Enum.TryParse<InfrastructureMode>(configured, ignoreCase: true, out var parsed) ? parsed
            : throw new InvalidOperationException($"Infrastructure:Mode '{configured}' is not one of auto, containers, executables, external.");
        if (publishing)
        {
            // A deployment runs the servers as containers beside the services, or uses existing ones (a managed broker).
            return mode == InfrastructureMode.External ? InfrastructureMode.External : InfrastructureMode.Containers;
        }

        if (mode != InfrastructureMode.Auto)
        {
            return mode;
        }

        if (ContainerRuntimeAnswers())
        {
            return InfrastructureMode.Containers;
        }

        if (File.Exists(RedisServer) && File.Exists(RabbitMqServer))
        {
            return InfrastructureMode.Executables;
        }

        throw new InvalidOperationException(
            "No container runtime answers and the local servers are missing. Install Docker or Podman, or Debian's servers " +
            "(sudo apt-get install redis-server rabbitmq-server), or point Infrastructure:Mode=external at running servers " +
            "with ConnectionStrings:redis and ConnectionStrings:rabbitmq.");
    }

    private static bool ContainerRuntimeAnswers()
    {
        foreach (var runtime in new[] { "docker", "podman" })
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(runtime, "info") { RedirectStandardOutput = true, RedirectStandardError = true });
                if (process is not null && process.WaitForExit(5000) && process.ExitCode == 0)
                {
                    return true;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed
            }
        }

        return false;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PrefSuite.Storage;

namespace PrefSuite.Stages.Storage;

/// <summary>Registers what a host that runs models needs: the thread count and the policy store.</summary>
public static class ModelServices
{
    /// <summary>
    /// Sets the model threads (Models:Threads, default 1: as fast for the built-in model's size, and replicas on one
    /// machine do not fight) and registers the <see cref="PolicyStore"/> over the artifact store. Remote callers name
    /// policies by version or alias; a folder path is honoured only inside Models:AllowedFolders.
    /// </summary>
    public static IServiceCollection AddPolicyStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        PrefSuite.Models.Native.TorchThreads.Set(configuration.GetValue("Models:Threads", 1));
        var allowed = configuration.GetSection("Models:AllowedFolders").GetChildren().Select(c => c.Value).OfType<string>().ToArray();
        return services.AddSingleton(sp => new PolicyStore(sp.GetRequiredService<IArtifactStore>(), configuration["Models:CacheFolder"], allowed));
    }
}

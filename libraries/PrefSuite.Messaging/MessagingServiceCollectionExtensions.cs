using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PrefSuite.Stages.Runs;

namespace PrefSuite.Messaging;

/// <summary>Registers RabbitMQ messaging: the connection, the stage bus, and queue consumers.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>The connection (ConnectionStrings:rabbitmq, options from "Messaging") and an <see cref="IStageBus"/>.</summary>
    public static IServiceCollection AddPrefSuiteMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MessagingOptions>()
            .Bind(configuration.GetSection(MessagingOptions.Section))
            .Configure(o => o.ConnectionString = configuration.GetConnectionString("rabbitmq") ?? o.ConnectionString)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<RabbitMqConnection>();
        services.AddSingleton<RabbitMqStageBus>();
        services.AddSingleton<IStageBus>(sp => sp.GetRequiredService<RabbitMqStageBus>());
        return services;
    }

    /// <summary>Consumes <paramref name="queue"/> with the registered <typeparamref name="THandler"/>.</summary>
    public static IServiceCollection AddQueueConsumer<THandler>(this IServiceCollection services, string queue, ushort prefetch, ushort concurrency = 1)
        where THandler : class, IQueueHandler
    {
        services.AddSingleton<THandler>();
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp => new QueueConsumer(
            queue, prefetch, concurrency, sp.GetRequiredService<THandler>(), sp.GetRequiredService<RabbitMqConnection>(), sp.GetRequiredService<ILogger<QueueConsumer>>()));
        return services;
    }
}

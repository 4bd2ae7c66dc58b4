using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrefSuite.Workflow;

namespace PrefSuite.Messaging;

/// <summary>Registers RabbitMQ messaging: the connection, the stack's transport, and queue consumers.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>The connection (ConnectionStrings:rabbitmq, options from "Messaging") and the <see cref="IStageTransport"/>.</summary>
    public static IServiceCollection AddPrefSuiteMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MessagingOptions>()
            .Bind(configuration.GetSection(MessagingOptions.Section))
            .Configure(o => o.ConnectionString = configuration.GetConnectionString("rabbitmq") ?? o.ConnectionString)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<RabbitMqConnection>();
        services.AddSingleton<RabbitMqStageBus>();
        services.AddSingleton<IStageTransport>(sp => sp.GetRequiredService<RabbitMqStageBus>());
        return services;
    }

    /// <summary>Consumes a stage handler's topic: its outputs are published before the inputs are acked.</summary>
    public static IServiceCollection AddStageConsumer(this IServiceCollection services, Func<IServiceProvider, IStageHandler> handler, ushort prefetch)
    {
        services.AddSingleton<IHostedService>(sp =>
        {
            var stage = handler(sp);
            return new QueueConsumer(
                stage.Topic.QueueName(), prefetch, 1, new StageQueueHandler(stage, sp.GetRequiredService<IStageTransport>()), sp.GetRequiredService<RabbitMqConnection>(), sp.GetRequiredService<ILogger<QueueConsumer>>());
        });
        return services;
    }

    /// <summary>Consumes <paramref name="queue"/> with the registered <typeparamref name="THandler"/>.</summary>
    public static IServiceCollection AddQueueConsumer<THandler>(this IServiceCollection services, string queue, ushort prefetch, ushort concurrency = 1)
        where THandler : class, IQueueHandler
    {
        services.AddSingleton<THandler>();
        services.AddSingleton<IHostedService>(sp => new QueueConsumer(
            queue, prefetch, concurrency, sp.GetRequiredService<THandler>(), sp.GetRequiredService<RabbitMqConnection>(), sp.GetRequiredService<ILogger<QueueConsumer>>()));
        return services;
    }
}

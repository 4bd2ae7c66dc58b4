using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using PrefSuite.Workflow;

namespace PrefSuite.Messaging;

/// <summary>Registers RabbitMQ messaging: the connection, the stack's transport, and queue consumers.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// The connection (ConnectionStrings:rabbitmq, through Aspire.RabbitMQ.Client: connect retries, the "RabbitMQ.Client"
    /// health check on /health, RabbitMQ.Client's traces), options from "Messaging", and the <see cref="IStageTransport"/>.
    /// </summary>
    public static IHostApplicationBuilder AddPrefSuiteMessaging(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        builder.AddRabbitMQClient(ConnectionName, configureConnectionFactory: RabbitMqConnection.Configure);
        builder.Services.AddOptions<MessagingOptions>()
            .Bind(configuration.GetSection(MessagingOptions.Section))
            .Configure(o => o.ConnectionString = configuration.GetConnectionString(ConnectionName) ?? o.ConnectionString)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new RabbitMqConnection(
            sp.GetRequiredService<IOptions<MessagingOptions>>(), sp.GetRequiredService<IConnection>, sp.GetRequiredService<ILogger<RabbitMqConnection>>()));
        builder.Services.AddSingleton<RabbitMqStageBus>();
        builder.Services.AddSingleton<IStageTransport>(sp => sp.GetRequiredService<RabbitMqStageBus>());
        return builder;
    }

    /// <summary>The connection string's name (ConnectionStrings:rabbitmq), as the AppHost's RabbitMQ resource is called.</summary>
    public const string ConnectionName = "rabbitmq";

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

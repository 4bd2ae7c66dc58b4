using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Runs;

namespace PrefSuite.PipelineService;

/// <summary>The pipeline service: gRPC PipelineService, the prefsuite.events consumer, and the dead-letter queues' consumers.</summary>
public static class PipelineServiceApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPrefSuiteStageHost();
        if (!builder.Configuration.HasMessaging())
        {
            throw new InvalidOperationException("The pipeline service needs RabbitMQ: set ConnectionStrings:rabbitmq (the AppHost does).");
        }

        builder.Services.AddSingleton(sp => new RunCoordinator(
            sp.GetRequiredService<Stages.Storage.IArtifactStore>(),
            sp.GetRequiredService<Stages.Storage.PolicyStore>(),
            sp.GetRequiredService<IStageBus>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RunCoordinator>>())
        {
            DefaultPolicySftSteps = builder.Configuration.GetValue("Pipeline:DefaultPolicySftSteps", 1500),
        });
        builder.Services.AddHostedService<RunLoader>();
        builder.Services.AddQueueConsumer<StageEventConsumer>(Queues.Events, prefetch: 128);
        builder.Services.AddSingleton<DeadLetterHandler>();
        foreach (var queue in Queues.Stages)
        {
            builder.Services.AddSingleton<IHostedService>(sp => new QueueConsumer(
                MessageHeaders.DeadLetterQueue(queue), 16, 1, sp.GetRequiredService<DeadLetterHandler>(), sp.GetRequiredService<RabbitMqConnection>(), sp.GetRequiredService<ILogger<QueueConsumer>>()));
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGrpcService<PipelineGrpcService>();
        app.MapPrefSuiteStageEndpoints();
        return app;
    }
}

/// <summary>Reloads persisted runs before the service takes events.</summary>
public sealed class RunLoader(RunCoordinator coordinator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => coordinator.LoadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

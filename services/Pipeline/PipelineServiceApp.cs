using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Runs;
using PrefSuite.Workflow;

namespace PrefSuite.PipelineService;

/// <summary>The pipeline service: gRPC PipelineService over the run workflow, its events consumer, and the dead-letter queues' consumers (the stages' and the events').</summary>
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

        builder.Services.AddOptions<WorkflowOptions>().Bind(builder.Configuration.GetSection(WorkflowOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IRunSpecRules>(sp => new RunSpecRules(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<RunCoordinator>();
        builder.Services.AddHostedService<WorkflowHost>();
        builder.Services.AddStageConsumer(sp => sp.GetRequiredService<RunCoordinator>().EventsHandler, prefetch: 512);
        builder.Services.AddSingleton<DeadLetterHandler>();
        builder.Services.AddSingleton<EventsDeadLetterHandler>();
        builder.Services.AddSingleton<IHostedService>(sp => new QueueConsumer(
            MessageHeaders.DeadLetterQueue(Topic.Events.QueueName()), 16, 1, sp.GetRequiredService<EventsDeadLetterHandler>(), sp.GetRequiredService<RabbitMqConnection>(), sp.GetRequiredService<ILogger<QueueConsumer>>()));
        foreach (var topic in StageNames.StageTopics)
        {
            builder.Services.AddSingleton<IHostedService>(sp => new QueueConsumer(
                MessageHeaders.DeadLetterQueue(topic.QueueName()), 16, 1, sp.GetRequiredService<DeadLetterHandler>(), sp.GetRequiredService<RabbitMqConnection>(), sp.GetRequiredService<ILogger<QueueConsumer>>()));
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGrpcService<PipelineGrpcService>();
        app.MapPrefSuiteStageEndpoints();
        return app;
    }
}

/// <summary>Rebuilds the runs from their ledgers before the service takes events, then runs the workflow's loop.</summary>
public sealed class WorkflowHost(RunCoordinator coordinator) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await coordinator.LoadAsync(cancellationToken).ConfigureAwait(false);
        await coordinator.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => coordinator.StopAsync();
}

using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Training;

namespace PrefSuite.TrainingService;

/// <summary>The training service: background jobs (one at a time), gRPC TrainingService, and the prefsuite.train consumer.</summary>
public static class TrainingServiceApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPrefSuiteStageHost(maxMessageBytes: 64 * 1024 * 1024);
        builder.Services.AddSingleton<TrainingJobs>();
        builder.Services.AddHostedService<TrainingWorker>();
        if (builder.Configuration.HasMessaging())
        {
            // One training message at a time per replica: it is acked when its job has finished.
            builder.Services.AddQueueConsumer<TrainRequestHandler>(Queues.Train, prefetch: 1);
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGrpcService<TrainingGrpcService>();
        app.MapPrefSuiteStageEndpoints();
        return app;
    }
}

/// <summary>Runs the replica's job queue for the life of the service.</summary>
public sealed class TrainingWorker(TrainingJobs jobs) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => jobs.RunAsync(stoppingToken);
}

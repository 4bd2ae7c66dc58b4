using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Storage;
using PrefSuite.Stages.Training;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.TrainingService;

/// <summary>The training service: background jobs (one at a time), gRPC TrainingService, and the prefsuite.train consumer.</summary>
public static class TrainingServiceApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPrefSuiteStageHost(maxMessageBytes: 64 * 1024 * 1024);
        builder.Services.AddPolicyStore(builder.Configuration);
        builder.Services.AddSingleton(sp => new TrainingJobs(
            sp.GetRequiredService<PolicyStore>(), sp.GetRequiredService<IArtifactStore>(), sp.GetRequiredService<ILogger<TrainingJobs>>(), sp.GetService<IStageTransport>()));
        builder.Services.AddHostedService<TrainingWorker>();
        if (builder.Configuration.HasMessaging())
        {
            // A request is acked once its job is stored as queued; progress and the end travel as events.
            builder.Services.AddStageConsumer(sp => new TrainHandler(sp.GetRequiredService<TrainingJobs>()), prefetch: 4);
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGrpcService<TrainingGrpcService>();
        app.MapPrefSuiteStageEndpoints();
        return app;
    }
}

/// <summary>Runs the replica's job queue for the life of the service, starting with the jobs a crash left unfinished.</summary>
public sealed class TrainingWorker(TrainingJobs jobs) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await jobs.ResumeAsync(stoppingToken).ConfigureAwait(false);
        await jobs.RunAsync(stoppingToken).ConfigureAwait(false);
    }
}

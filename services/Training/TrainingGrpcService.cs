using Grpc.Core;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Training;

namespace PrefSuite.TrainingService;

/// <summary>gRPC front of the training jobs.</summary>
public sealed class TrainingGrpcService(TrainingJobs jobs) : Contracts.V1.TrainingService.TrainingServiceBase
{
    public override Task<TrainJob> StartJob(TrainRequest request, ServerCallContext context) => jobs.StartAsync(request, context.CancellationToken);

    public override Task<TrainJob> GetJob(JobRequest request, ServerCallContext context) =>
        Task.FromResult(jobs.Get(request.JobId) ?? throw new KeyNotFoundException($"No job '{request.JobId}'."));

    public override async Task WatchJob(JobRequest request, IServerStreamWriter<TrainProgress> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        await foreach (var progress in jobs.WatchAsync(request.JobId, context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(progress, context.CancellationToken).ConfigureAwait(false);
        }
    }

    public override Task<TrainJob> CancelJob(JobRequest request, ServerCallContext context) => Task.FromResult(jobs.Cancel(request.JobId));
}

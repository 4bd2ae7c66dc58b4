using PrefSuite.Contracts.V1;
using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Training;

namespace PrefSuite.TrainingService;

/// <summary>prefsuite.train → run the job (idempotent by id; resumes from its checkpoint after a crash) → tell the pipeline.</summary>
public sealed class TrainRequestHandler(TrainingJobs jobs, StageEvents events) : IQueueHandler
{
    public async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var request = ProtoMessages.Parse<TrainRequest>(message);
        await jobs.StartAsync(request, cancellationToken).ConfigureAwait(false);
        var job = await jobs.CompletionAsync(request.JobId, cancellationToken).ConfigureAwait(false);
        await events.PublishAsync(new StageEvent { RunId = request.RunId, Stage = "train", Job = job }, cancellationToken).ConfigureAwait(false);
    }

    public Task OnGiveUpAsync(QueueMessage message, Exception failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(failure);
        var job = new TrainJob { JobId = message.UnitId, State = JobState.Failed, Error = failure.Message };
        var runId = message.UnitId.EndsWith("/train", StringComparison.Ordinal) ? message.UnitId[..^"/train".Length] : string.Empty;
        return events.PublishAsync(new StageEvent { RunId = runId, Stage = "train", Job = job }, cancellationToken);
    }
}

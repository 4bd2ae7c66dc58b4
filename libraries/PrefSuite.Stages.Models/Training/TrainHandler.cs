using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Training;

/// <summary>
/// Training requests → jobs, acknowledged once the job is durably queued (stored with its request): progress and the
/// job's end travel as events from the worker, so no message waits for the length of a job. A request for a job that
/// already ended answers with its end again (the workflow may have missed it).
/// </summary>
public sealed class TrainHandler(TrainingJobs jobs) : IStageHandler
{
    public Topic Topic => Topic.Train;

    public int MaxBatch => 1;

    public async Task<IReadOnlyList<Envelope>> HandleAsync(IReadOnlyList<Delivered> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var outgoing = new List<Envelope>();
        foreach (var request in messages.Select(m => StageMessages.As<TrainRequest>(m)))
        {
            var job = await jobs.StartAsync(request, cancellationToken).ConfigureAwait(false);
            if (job.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled)
            {
                outgoing.Add(TrainingJobs.Event(request, job));
            }
        }

        return outgoing;
    }

    public Envelope? GiveUp(Delivered message, Exception failure)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(failure);
        var request = message.Message as TrainRequest ?? new TrainRequest { JobId = message.Id, RunId = JobIds.RunOf(message.Id) };
        return TrainingJobs.Event(request, new TrainJob { JobId = request.JobId, RunId = request.RunId, State = JobState.Failed, Error = failure.Message });
    }
}

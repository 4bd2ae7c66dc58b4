using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Training;

/// <summary>
/// Training jobs of one replica: queued, run one at a time by <see cref="RunAsync"/>, watched and cancelled by id.
/// Starting a job is idempotent by id, also across restarts: a finished job is read back from the artifact store, and an
/// unfinished one starts again and resumes from its checkpoint. A job and its request are stored when it is queued, so
/// <see cref="ResumeAsync"/> picks up after a crash. With a transport, the job's progress (at most once per
/// <see cref="ProgressInterval"/>) and its end travel as events to the workflow: nothing waits on a job's message.
/// </summary>
public sealed partial class TrainingJobs(PolicyStore policies, IArtifactStore store, ILogger<TrainingJobs> logger, IStageTransport? events = null)
{
    private readonly ConcurrentDictionary<string, Entry> _jobs = new(StringComparer.Ordinal);
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>();

    /// <summary>The least time between two progress events of a job.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Queues again the jobs a previous process stored as queued or running (they resume from their checkpoints).</summary>
    public async Task ResumeAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var path in store.ListAsync("jobs", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!path.EndsWith(".request.pb", StringComparison.Ordinal) || await store.ReadAsync(path, cancellationToken).ConfigureAwait(false) is not { } bytes)
            {
                continue;
            }

            var request = TrainRequest.Parser.ParseFrom(bytes);
            if (await store.ReadAsync(ArtifactPaths.Job(request.JobId), cancellationToken).ConfigureAwait(false) is { } job &&
                TrainJob.Parser.ParseFrom(job).State is JobState.Queued or JobState.Running)
            {
                LogResumed(logger, request.JobId);
                await StartAsync(request, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<TrainJob> StartAsync(TrainRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.JobId))
        {
            throw new InvalidRequestException("job_id", "is missing");
        }

        if (!request.DemoSft && request.Pairs.Count == 0 && string.IsNullOrEmpty(request.DatasetArtifact))
        {
            throw new InvalidRequestException("pairs", "a job needs demo_sft, pairs or dataset_artifact");
        }

        if (_jobs.TryGetValue(request.JobId, out var existing))
        {
            return existing.Snapshot();
        }

        if (await store.ReadAsync(ArtifactPaths.Job(request.JobId), cancellationToken).ConfigureAwait(false) is { } bytes &&
            TrainJob.Parser.ParseFrom(bytes) is { State: JobState.Succeeded } finished)
        {
            var done = new Entry(request, finished);
            done.Done.TrySetResult(finished);
            _jobs[request.JobId] = done;
            return finished.Clone();
        }

        var entry = new Entry(request, new TrainJob { JobId = request.JobId, RunId = request.RunId, State = JobState.Queued });
        if (!_jobs.TryAdd(request.JobId, entry))
        {
            return _jobs[request.JobId].Snapshot();
        }

        await store.WriteAsync(ArtifactPaths.JobRequest(request.JobId), request.ToByteArray(), cancellationToken).ConfigureAwait(false);
        await PersistAsync(entry.Job, cancellationToken).ConfigureAwait(false);
        await _queue.Writer.WriteAsync(entry, cancellationToken).ConfigureAwait(false);
        return entry.Snapshot();
    }

    public TrainJob? Get(string jobId) => _jobs.TryGetValue(jobId, out var entry) ? entry.Snapshot() : null;

    /// <summary>Waits for the job to end and returns it (succeeded, failed or cancelled).</summary>
    public Task<TrainJob> CompletionAsync(string jobId, CancellationToken cancellationToken = default) =>
        _jobs.TryGetValue(jobId, out var entry) ? entry.Done.Task.WaitAsync(cancellationToken) : throw new KeyNotFoundException($"No job '{jobId}'.");

    public TrainJob Cancel(string jobId)
    {
        if (!_jobs.TryGetValue(jobId, out var entry))
        {
            throw new KeyNotFoundException($"No job '{jobId}'.");
        }

        entry.Cancellation.Cancel();
        return entry.Snapshot();
    }

    /// <summary>Progress until the job ends; the last message carries the final state.</summary>
    public async IAsyncEnumerable<TrainProgress> WatchAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!_jobs.TryGetValue(jobId, out var entry))
        {
            throw new KeyNotFoundException($"No job '{jobId}'.");
        }

        var channel = Channel.CreateUnbounded<TrainProgress>();
        entry.Watchers.TryAdd(channel, true);
        try
        {
            // A watcher that joins a running job starts from its latest step's report (loss included), not a bare count.
            var snapshot = entry.Snapshot();
            yield return snapshot.State == JobState.Running && entry.LastProgress is { } last
                ? last
                : new TrainProgress { JobId = jobId, State = snapshot.State, Step = snapshot.Step, TotalSteps = snapshot.TotalSteps };
            if (entry.Done.Task.IsCompleted)
            {
                yield break;
            }

            await foreach (var progress in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return progress;
            }
        }
        finally
        {
            entry.Watchers.TryRemove(channel, out _);
        }
    }

    /// <summary>The worker: runs queued jobs one at a time until stopped.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await foreach (var entry in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, entry.Cancellation.Token);
            using var reporting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            TrainJob result;
            var reporter = Task.CompletedTask;
            try
            {
                entry.Update(j => j.State = JobState.Running);
                await PersistAsync(entry.Snapshot(), stoppingToken).ConfigureAwait(false);
                LogStarted(logger, entry.Request.JobId);
                reporter = ReportProgressAsync(entry, reporting.Token);
                result = await TrainingJobRunner.RunAsync(entry.Request, policies, store, new Broadcast(entry), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // shutting down: the job stays unfinished and resumes from its checkpoint next time
            }
            catch (OperationCanceledException)
            {
                result = entry.Snapshot();
                result.State = JobState.Cancelled;
            }
            catch (Exception error)
            {
                // A bad job (a dataset that is not JSONL, a checkpoint that does not load) ends failed; the worker lives on.
                LogFailed(logger, entry.Request.JobId, error);
                result = entry.Snapshot();
                result.State = JobState.Failed;
                result.Error = error.Message;
            }
            finally
            {
                await reporting.CancelAsync().ConfigureAwait(false);
                await reporter.ConfigureAwait(false);
            }

            entry.Update(j => j.MergeFrom(result));
            await PersistAsync(entry.Snapshot(), CancellationToken.None).ConfigureAwait(false);
            entry.Broadcast(new TrainProgress { JobId = result.JobId, State = result.State, Step = result.Step, TotalSteps = result.TotalSteps });
            foreach (var watcher in entry.Watchers.Keys)
            {
                watcher.Writer.TryComplete();
            }

            entry.Done.TrySetResult(entry.Snapshot());
            await ReportEndAsync(entry.Request, entry.Snapshot(), stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>The event that tells the workflow a job's state (its run's id, or none for the default policy's job).</summary>
    public static Envelope Event(TrainRequest request, TrainJob job, TrainProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return StageEvents.Job(request.RunId, job, progress);
    }

    /// <summary>Sends the job's progress while it runs, at most once per interval, the latest step only.</summary>
    private async Task ReportProgressAsync(Entry entry, CancellationToken cancellationToken)
    {
        if (events is null)
        {
            return;
        }

        var sent = -1;
        async Task SendLatestAsync(CancellationToken token)
        {
            var job = entry.Snapshot();
            if (job.Step != sent && entry.LastProgress is { } progress)
            {
                sent = job.Step;
                try
                {
                    await events.SendAsync([Event(entry.Request, job, progress)], token).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LogProgressNotSent(logger, entry.Request.JobId, error); // progress is news, not state: the next one will do
                }
            }
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(ProgressInterval, cancellationToken).ConfigureAwait(false);
                await SendLatestAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        // The job ended: its last step goes out too (a job shorter than the interval still shows its progress).
        using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await SendLatestAsync(last.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Tells the workflow a job ended, trying until it is sent or the worker stops (then the stored job answers the next request).</summary>
    private async Task ReportEndAsync(TrainRequest request, TrainJob job, CancellationToken stoppingToken)
    {
        if (events is null)
        {
            return;
        }

        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await events.SendAsync([Event(request, job)], stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogEndNotSent(logger, request.JobId, attempt, error);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt)), stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private Task PersistAsync(TrainJob job, CancellationToken cancellationToken) =>
        store.WriteAsync(ArtifactPaths.Job(job.JobId), job.ToByteArray(), cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId} started")]
    private static partial void LogStarted(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId} resumed after a restart")]
    private static partial void LogResumed(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Training job {JobId}: a progress event was not sent")]
    private static partial void LogProgressNotSent(ILogger logger, string jobId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {JobId}: its end could not be reported (attempt {Attempt}); trying again")]
    private static partial void LogEndNotSent(ILogger logger, string jobId, int attempt, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {JobId} failed")]
    private static partial void LogFailed(ILogger logger, string jobId, Exception error);

    private sealed class Entry(TrainRequest request, TrainJob job)
    {
        private readonly Lock _gate = new();

        public TrainRequest Request { get; } = request;

        public TrainJob Job { get; } = job;

        public CancellationTokenSource Cancellation { get; } = new();

        public TaskCompletionSource<TrainJob> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentDictionary<Channel<TrainProgress>, bool> Watchers { get; } = new();

        /// <summary>The latest step's report.</summary>
        public TrainProgress? LastProgress { get; set; }

        public TrainJob Snapshot()
        {
            lock (_gate)
            {
                return Job.Clone();
            }
        }

        public void Update(Action<TrainJob> change)
        {
            lock (_gate)
            {
                change(Job);
            }
        }

        public void Broadcast(TrainProgress progress)
        {
            foreach (var watcher in Watchers.Keys)
            {
                watcher.Writer.TryWrite(progress);
            }
        }
    }

    private sealed class Broadcast(Entry entry) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value)
        {
            entry.LastProgress = value; // before the count, so a watcher that sees step k finds its report
            entry.Update(j =>
            {
                j.Step = value.Step;
                j.TotalSteps = value.TotalSteps;
            });
            entry.Broadcast(value);
        }
    }
}

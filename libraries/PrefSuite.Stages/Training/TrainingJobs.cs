using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Storage;

namespace PrefSuite.Stages.Training;

/// <summary>
/// Training jobs of one replica: queued, run one at a time by <see cref="RunAsync"/>, watched and cancelled by id.
/// Starting a job is idempotent by id, also across restarts: a finished job is read back from the artifact store, and an
/// unfinished one starts again and resumes from its checkpoint.
/// </summary>
public sealed partial class TrainingJobs(PolicyStore policies, IArtifactStore store, ILogger<TrainingJobs> logger)
{
    private readonly ConcurrentDictionary<string, Entry> _jobs = new(StringComparer.Ordinal);
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>();

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
            var snapshot = entry.Snapshot();
            yield return new TrainProgress { JobId = jobId, State = snapshot.State, Step = snapshot.Step, TotalSteps = snapshot.TotalSteps };
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
            TrainJob result;
            try
            {
                entry.Update(j => j.State = JobState.Running);
                LogStarted(logger, entry.Request.JobId);
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
            catch (Exception error) when (error is InvalidRequestException or InvalidDataException or KeyNotFoundException or IOException or ArgumentException)
            {
                LogFailed(logger, entry.Request.JobId, error);
                result = entry.Snapshot();
                result.State = JobState.Failed;
                result.Error = error.Message;
            }

            entry.Update(j => j.MergeFrom(result));
            await PersistAsync(entry.Snapshot(), CancellationToken.None).ConfigureAwait(false);
            entry.Broadcast(new TrainProgress { JobId = result.JobId, State = result.State, Step = result.Step, TotalSteps = result.TotalSteps });
            foreach (var watcher in entry.Watchers.Keys)
            {
                watcher.Writer.TryComplete();
            }

            entry.Done.TrySetResult(entry.Snapshot());
        }
    }

    private Task PersistAsync(TrainJob job, CancellationToken cancellationToken) =>
        store.WriteAsync(ArtifactPaths.Job(job.JobId), job.ToByteArray(), cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId} started")]
    private static partial void LogStarted(ILogger logger, string jobId);

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
            entry.Update(j =>
            {
                j.Step = value.Step;
                j.TotalSteps = value.TotalSteps;
            });
            entry.Broadcast(value);
        }
    }
}

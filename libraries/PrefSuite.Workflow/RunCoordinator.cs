using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrefSuite.Contracts.V1;
using PrefSuite.Storage;
using PrefSuite.Workflow.Ledger;

namespace PrefSuite.Workflow;

/// <summary>
/// The run workflow: accepts runs, fans their prompts out to sampling, counts each prompt through each stage from the
/// events the stages send, starts dataset selection when every prompt has finished or failed, then training, and ends
/// every run — succeeded, failed with its reasons, or cancelled — in bounded time. The same class runs runs on the stack
/// (over RabbitMQ) and in <c>prefsuite run</c> (in process).
/// </summary>
/// <remarks>
/// A run's state is the fold of its ledger (<see cref="RunLedger"/>): every change is appended before it is applied,
/// and the messages a change causes are an outbox derived from the ledger, re-sent after a restart until a later
/// record says they were sent. Fan-out is a cursor in the ledger, advanced chunk by chunk after each chunk is sent, so
/// it resumes where it stopped and holds only its run's lock. Decisions that depend on time (a stall) are records too,
/// so a replay reaches the same state. Redelivered events change nothing: each prompt holds one status per stage, a
/// prompt that failed is never counted done, and one that finished is never counted failed.
/// </remarks>
public sealed partial class RunCoordinator : IAsyncDisposable
{
    /// <summary>Dead letters listed on a run; the rest are counted (<c>dead_letter_count</c>).</summary>
    public const int MaxListedDeadLetters = 1000;

    private const byte FailedBit = 1 << 4;
    private static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan SnapshotInterval = TimeSpan.FromSeconds(2);

    private readonly IArtifactStore _store;
    private readonly IStageTransport _transport;
    private readonly IRunSpecRules _rules;
    private readonly WorkflowOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RunCoordinator> _logger;
    private readonly ConcurrentDictionary<string, RunEntry> _runs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _accepting = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0);
    private CancellationTokenSource? _stopping;
    private Task _pump = Task.CompletedTask;
    private int _saves;

    public RunCoordinator(IArtifactStore store, IStageTransport transport, IRunSpecRules rules, IOptions<WorkflowOptions> options, TimeProvider time, ILogger<RunCoordinator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _transport = transport;
        _rules = rules;
        _options = options.Value;
        _time = time;
        _logger = logger;
        EventsHandler = new RunEventsHandler(this);
    }

    /// <summary>The handler of the events topic: what the transport calls with the stages' events.</summary>
    public IStageHandler EventsHandler { get; }

    /// <summary>Called between a ledger write that owes messages and their send (tests inject faults here).</summary>
    internal Func<Task>? BeforeSend { get; set; }

    /// <summary>Ledger bytes this process appended, over every run (for I/O figures).</summary>
    public long LedgerBytesWritten => _runs.Values.Sum(r => r.Ledger.BytesWritten);

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Rebuilds the runs an earlier process left from their ledgers; without durable queues, unfinished work is sent again.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var folder in _store.ListAsync("runs", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await LoadAsync(folder["runs/".Length..], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Rebuilds one run from its ledger (nothing when there is none); see <see cref="LoadAsync(CancellationToken)"/>.</summary>
    public async Task LoadAsync(string runId, CancellationToken cancellationToken)
    {
        if (_runs.ContainsKey(runId) || await StoredRunSpec.ReadSettingsAsync(_store, runId, cancellationToken).ConfigureAwait(false) is not { } settings)
        {
            return;
        }

        var (ledger, records) = await RunLedger.OpenAsync(_store, runId, cancellationToken).ConfigureAwait(false);
        if (records.Count == 0 || records[0].KindCase != LedgerRecord.KindOneofCase.Accepted)
        {
            return; // never accepted, or written before runs had ledgers
        }

        // The prompts stream past once for their ids and hash: a restart does not hold a million prompts either.
        var promptsArtifact = await StoredRunSpec.PromptsArtifactAsync(_store, runId, cancellationToken).ConfigureAwait(false);
        using var prompts = new PromptIndex();
        await foreach (var prompt in StoredRunSpec.ReadPromptsAsync(_store, promptsArtifact, cancellationToken).ConfigureAwait(false))
        {
            prompts.Add(prompt);
        }

        var entry = new RunEntry(settings, prompts, ledger, _store, promptsArtifact);
        foreach (var record in records)
        {
            Apply(entry, record);
        }

        entry.LastProgressMs = NowMs;
        entry.LastMessage = string.Empty;
        _runs[entry.Spec.RunId] = entry;
        if (!_transport.Durable && !RunDefinition.IsFinal(entry.Run.State))
        {
            await StallAsync(entry, "this process restarted and its in-process queues are gone", restart: true, cancellationToken).ConfigureAwait(false);
        }

        LogLoaded(_logger, entry.Spec.RunId, entry.Run.State, records.Count);
        _wake.Release();
    }

    /// <summary>Starts the background loop that sends outboxes, fans runs out and watches for stalls.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        _pump = Task.Run(() => PumpLoopAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        if (_stopping is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping?.Dispose();
        _accepting.Dispose();
        _wake.Dispose();
        foreach (var entry in _runs.Values)
        {
            entry.Gate.Dispose();
            await entry.PromptCursor.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Accepts a run: validates it, stores its spec and the first ledger record, and returns. The prompts are sent
    /// afterwards by the background loop. Submitting the same run id again returns the run (the same spec) or is an
    /// invalid request (another spec).
    /// </summary>
    public Task<Run> SubmitAsync(RunSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = _rules.Normalize(spec.Clone());
        return AcceptAsync(spec, () => _rules.Prompts(spec), cancellationToken);
    }

    /// <summary>
    /// Accepts a run whose prompts came apart from its settings (a streamed submission): the same as
    /// <see cref="SubmitAsync(RunSpec, CancellationToken)"/> with the spool's prompts as the spec's own, read from the
    /// spool (several times, never held whole). An empty spool leaves the settings as the whole spec (a demo run).
    /// </summary>
    public Task<Run> SubmitAsync(RunSpec settings, PromptSpool prompts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0)
        {
            return SubmitAsync(settings, cancellationToken);
        }

        var spec = _rules.Normalize(settings.Clone(), prompts.Read());
        return AcceptAsync(spec, prompts.Read, cancellationToken);
    }

    /// <param name="prompts">The normalized spec's prompts, the same at every call.</param>
    private async Task<Run> AcceptAsync(RunSpec spec, Func<IEnumerable<Prompt>> prompts, CancellationToken cancellationToken)
    {
        await _accepting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_runs.TryGetValue(spec.RunId, out var existing))
            {
                using var resubmitted = PromptIndex.Of(prompts());
                if (!existing.Spec.Equals(StoredRunSpec.SettingsOf(spec)) || existing.PromptsHash != resubmitted.Hash())
                {
                    throw new InvalidRequestException("run_id", $"run '{spec.RunId}' already exists with other settings; resume it with the same settings or choose another run id");
                }

                return Snapshot(existing);
            }

            await StoredRunSpec.WriteAsync(_store, spec, prompts(), cancellationToken).ConfigureAwait(false);
            using var index = PromptIndex.Of(prompts());
            var entry = new RunEntry(StoredRunSpec.SettingsOf(spec), index, RunLedger.Create(_store, spec.RunId), _store, ArtifactPaths.RunPrompts(spec.RunId)) { LastProgressMs = NowMs };
            var records = new List<LedgerRecord> { new() { Accepted = new Accepted { AtMs = NowMs } } };
            records.Add(await PolicyRecordAsync(spec, cancellationToken).ConfigureAwait(false));
            await entry.Ledger.AppendAsync(records, cancellationToken).ConfigureAwait(false);
            foreach (var record in records)
            {
                Apply(entry, record);
            }

            _runs[spec.RunId] = entry;
            await SaveSnapshotAsync(entry, force: true, cancellationToken).ConfigureAwait(false);
            LogChange(_logger, spec.RunId, entry.Run.State, entry.LastMessage);
            _wake.Release();
            return Snapshot(entry);
        }
        finally
        {
            _accepting.Release();
        }
    }

    public Run? Get(string runId) => _runs.TryGetValue(runId, out var entry) ? Snapshot(entry) : null;

    public IReadOnlyList<Run> List(int limit) =>
        _runs.Values.Select(Snapshot).OrderByDescending(r => r.Created?.ToDateTimeOffset()).Take(limit <= 0 ? 50 : limit).ToArray();

    public async Task<Run> CancelAsync(string runId, CancellationToken cancellationToken = default)
    {
        var entry = Find(runId);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!RunDefinition.IsFinal(entry.Run.State))
            {
                await _store.WriteAsync(ArtifactPaths.Cancelled(runId), "cancelled"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                await AppendAndApplyAsync(entry, [new LedgerRecord { Cancelled = new Cancelled { AtMs = NowMs } }], cancellationToken).ConfigureAwait(false);
            }

            return Snapshot(entry);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Whether a run was cancelled (stages skip its units).</summary>
    public static Task<bool> IsCancelledAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.ExistsAsync(ArtifactPaths.Cancelled(runId), cancellationToken);
    }

    /// <summary>
    /// The run's changes until it ends; the first is the run as it is now. A slow reader skips intermediate states
    /// (each event carries the whole run), never the last.
    /// </summary>
    public async IAsyncEnumerable<RunEvent> WatchAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var entry = Find(runId);
        var channel = Channel.CreateBounded<RunEvent>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        entry.Watchers.TryAdd(channel, true);
        try
        {
            var first = new RunEvent { RunId = runId, Run = Snapshot(entry), Message = "current state" };
            yield return first;
            if (RunDefinition.IsFinal(first.Run.State))
            {
                yield break;
            }

            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
                if (RunDefinition.IsFinal(change.Run.State))
                {
                    yield break;
                }
            }
        }
        finally
        {
            entry.Watchers.TryRemove(channel, out _);
        }
    }

    /// <summary>
    /// A stream over the run's exported artifact: "pairs" (TRL JSONL) or "samples" (every response with its scores);
    /// the caller sends it on in chunks, so an export of any size holds one chunk in memory.
    /// </summary>
    public async Task<Stream> ExportAsync(string runId, string what, CancellationToken cancellationToken = default)
    {
        var scope = Find(runId).Scope.ToString(); // the latest round's
        var path = what switch
        {
            "pairs" or "" => ArtifactPaths.Pairs(scope),
            "samples" => ArtifactPaths.Samples(scope),
            _ => throw new InvalidRequestException("what", $"'{what}' is not pairs or samples"),
        };
        return await _store.OpenReadAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidRequestException("run_id", $"run '{runId}' has no {what} yet");
    }

    /// <summary>Applies one stage event (at-least-once: a repeated event changes nothing).</summary>
    public Task OnEventAsync(StageEvent stageEvent, CancellationToken cancellationToken = default) => OnEventsAsync([stageEvent], cancellationToken);

    /// <summary>
    /// Applies a batch of events: each run they touch gets one ledger write (only of the events that change it), then
    /// the change. Throws when a write fails, before anything changed, so the events are delivered again.
    /// </summary>
    public async Task OnEventsAsync(IReadOnlyList<StageEvent> stageEvents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stageEvents);
        foreach (var policyEvent in stageEvents.Where(e => e.Job?.JobId == JobIds.DefaultPolicy))
        {
            await OnDefaultPolicyAsync(policyEvent, cancellationToken).ConfigureAwait(false);
        }

        foreach (var group in stageEvents.Where(e => e.Job?.JobId != JobIds.DefaultPolicy).GroupBy(e => RunRound.Parse(e.RunId).RunId, StringComparer.Ordinal))
        {
            if (!_runs.TryGetValue(group.Key, out var entry))
            {
                continue;
            }

            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var relevant = new List<StageEvent>();
                foreach (var stageEvent in group)
                {
                    if (stageEvent.Job is { State: JobState.Queued or JobState.Running } running)
                    {
                        OnTrainingProgress(entry, running, stageEvent.Progress);
                    }
                    else if (Relevant(entry, stageEvent))
                    {
                        relevant.Add(stageEvent);
                    }
                }

                if (relevant.Count > 0)
                {
                    var record = new LedgerRecord { Events = new Events { AtMs = NowMs } };
                    record.Events.Items.Add(relevant);
                    await AppendAndApplyAsync(entry, [record], cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    /// <summary>Sends owed messages, fans runs out and checks for stalls once (the background loop calls it).</summary>
    internal async Task PumpOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in _runs.Values)
        {
            try
            {
                await SendOutboxAsync(entry, cancellationToken).ConfigureAwait(false);
                await DispatchAsync(entry, cancellationToken).ConfigureAwait(false);
                await WatchForStallAsync(entry, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogPumpFailed(_logger, entry.Spec.RunId, error);
            }
        }
    }

    private async Task PumpLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(PumpInterval, stoppingToken).ConfigureAwait(false);
                await PumpOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task SendOutboxAsync(RunEntry entry, CancellationToken cancellationToken)
    {
        KeyValuePair<string, Envelope>[] owed;
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            owed = [.. entry.Pending];
        }
        finally
        {
            entry.Gate.Release();
        }

        if (owed.Length == 0)
        {
            return;
        }

        await CrashPointAsync().ConfigureAwait(false);
        await _transport.SendAsync(owed.Select(o => o.Value).ToArray(), cancellationToken).ConfigureAwait(false);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var sent = new Sent();
            sent.Ids.Add(owed.Select(o => o.Key));
            await AppendAndApplyAsync(entry, [new LedgerRecord { Sent = sent }], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Sends the next chunk of a run's sample units, then records how far it got.</summary>
    private async Task DispatchAsync(RunEntry entry, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            List<Envelope> chunk;
            int round, upTo;
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (entry.Run.State != RunState.Running || entry.Policy is null || entry.Cursor >= entry.Prompts)
                {
                    return;
                }

                if (entry.Round == entry.FirstPass && entry.Cursor - (entry.Finished + entry.FailedCount) >= _options.MaxPromptsInFlight)
                {
                    return; // the window is full: wait for prompts to finish
                }

                (round, upTo, chunk) = (entry.Round, entry.Cursor, []);
                var limit = Math.Min(entry.Prompts, entry.Cursor + (_options.DispatchChunk * 16));
                while (upTo < limit && chunk.Count < _options.DispatchChunk)
                {
                    if (entry.Round == entry.FirstPass || (entry.Status[upTo] & (StatusBit(Stage.Select) | FailedBit)) == 0)
                    {
                        var prompt = await entry.PromptCursor.AtAsync(entry.RoundStart + upTo, cancellationToken).ConfigureAwait(false);
                        chunk.Add(new Envelope(Topic.Sample, RunDefinition.SampleUnit(entry.Spec, entry.Scope, prompt, entry.Policy), new UnitId(entry.Scope.ToString(), prompt.PromptId, Stage.Sample).ToString()));
                    }

                    upTo++;
                }
            }
            finally
            {
                entry.Gate.Release();
            }

            if (chunk.Count > 0)
            {
                await CrashPointAsync().ConfigureAwait(false);
                await _transport.SendAsync(chunk, cancellationToken).ConfigureAwait(false);
            }

            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await AppendAndApplyAsync(entry, [new LedgerRecord { Dispatched = new Dispatched { Round = round, UpTo = upTo } }], cancellationToken, notify: false).ConfigureAwait(false);
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    private async Task WatchForStallAsync(RunEntry entry, CancellationToken cancellationToken)
    {
        if (RunDefinition.IsFinal(entry.Run.State) || NowMs - entry.LastProgressMs < _options.StallTimeout.TotalMilliseconds)
        {
            return;
        }

        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!RunDefinition.IsFinal(entry.Run.State) && NowMs - entry.LastProgressMs >= _options.StallTimeout.TotalMilliseconds)
            {
                await StallCoreAsync(entry, $"nothing was heard for {_options.StallTimeout}", restart: false, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task StallAsync(RunEntry entry, string reason, bool restart, CancellationToken cancellationToken)
    {
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StallCoreAsync(entry, reason, restart, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task StallCoreAsync(RunEntry entry, string reason, bool restart, CancellationToken cancellationToken)
    {
        var retry = restart || entry.Stalls < _options.StallRetries;
        LogStalled(_logger, entry.Spec.RunId, entry.Run.State, reason, retry);
        await AppendAndApplyAsync(entry, [new LedgerRecord { Stalled = new Stalled { Reason = reason, Retried = retry, AtMs = NowMs, Restart = restart } }], cancellationToken).ConfigureAwait(false);
        entry.LastProgressMs = NowMs; // the resent work gets a full timeout of its own
        _wake.Release();
    }

    /// <summary>The default policy's job: its alias is set once it succeeded, then every run waiting for it records the event.</summary>
    private async Task OnDefaultPolicyAsync(StageEvent stageEvent, CancellationToken cancellationToken)
    {
        var job = stageEvent.Job;
        var waiting = _runs.Values.Where(e => e.WaitingForPolicy && !RunDefinition.IsFinal(e.Run.State)).ToArray();
        if (job.State is JobState.Queued or JobState.Running)
        {
            foreach (var entry in waiting)
            {
                OnTrainingProgress(entry, job, stageEvent.Progress);
            }

            return;
        }

        if (job.State == JobState.Succeeded)
        {
            await _store.WriteAsync(ArtifactPaths.PolicyAlias(JobIds.DefaultPolicyAlias), System.Text.Encoding.UTF8.GetBytes(job.CheckpointVersion), cancellationToken).ConfigureAwait(false);
        }

        foreach (var entry in waiting)
        {
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (entry.WaitingForPolicy)
                {
                    var record = new LedgerRecord { Events = new Events { AtMs = NowMs } };
                    record.Events.Items.Add(stageEvent);
                    await AppendAndApplyAsync(entry, [record], cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    private void OnTrainingProgress(RunEntry entry, TrainJob job, TrainProgress? progress)
    {
        entry.LastProgressMs = NowMs;
        if (job.JobId == JobIds.Training(entry.Scope.ToString()) && entry.Run.State == RunState.Training)
        {
            entry.Run.Training = job;
        }

        Notify(entry, job.JobId == JobIds.DefaultPolicy ? "training the default policy (demo SFT)" : string.Empty, progress);
    }

    /// <summary>Whether an event would change the run (so it is worth a ledger record).</summary>
    private static bool Relevant(RunEntry entry, StageEvent stageEvent)
    {
        if (RunDefinition.IsFinal(entry.Run.State) || !StageNames.TryParse(stageEvent.Stage, out var stage) || !OfCurrentRound(entry, stageEvent))
        {
            return false;
        }

        if (stage is Stage.SelectDataset or Stage.SelectCandidates or Stage.Train)
        {
            return true;
        }

        if (!entry.TryIndex(stageEvent.PromptId, out var index))
        {
            return false;
        }

        var status = entry.Status[index];
        return stageEvent.Failed
            ? (status & (StatusBit(Stage.Select) | FailedBit)) == 0
            : (status & (StatusBit(stage) | FailedBit)) == 0;
    }

    private async Task AppendAndApplyAsync(RunEntry entry, IReadOnlyList<LedgerRecord> records, CancellationToken cancellationToken, bool notify = true)
    {
        var before = entry.Run.State;
        await entry.Ledger.AppendAsync(records, cancellationToken).ConfigureAwait(false);
        var changed = false;
        foreach (var record in records)
        {
            changed |= Apply(entry, record);
        }

        if (changed)
        {
            entry.LastProgressMs = NowMs;
        }

        if (entry.Pending.Count > 0)
        {
            _wake.Release();
        }

        if (!notify)
        {
            return;
        }

        if (entry.Run.State != before)
        {
            LogChange(_logger, entry.Spec.RunId, entry.Run.State, entry.LastMessage);
        }

        await SaveSnapshotAsync(entry, force: entry.Run.State != before, cancellationToken).ConfigureAwait(false);
        Notify(entry, entry.LastMessage, null);
        entry.LastMessage = string.Empty;
    }

    /// <summary>
    /// The reducer: applies one ledger record to a run; true when it moved the run forward. The only place where a
    /// run's state changes, used alike when a record is written and when a ledger is replayed.
    /// </summary>
    private bool Apply(RunEntry entry, LedgerRecord record)
    {
        var before = entry.Run.State;
        var moved = ApplyRecord(entry, record);
        if (entry.Run.State != before)
        {
            entry.Stalls = 0; // a new phase gets its own retries
        }

        return moved;
    }

    private bool ApplyRecord(RunEntry entry, LedgerRecord record)
    {
        var run = entry.Run;
        switch (record.KindCase)
        {
            case LedgerRecord.KindOneofCase.Accepted:
                run.State = RunState.Running;
                run.Created = run.Updated = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(record.Accepted.AtMs));
                entry.LastMessage = $"submitted: {entry.Prompts} prompts × {entry.Spec.Sampling.N} samples";
                return true;
            case LedgerRecord.KindOneofCase.PolicyWanted:
                entry.WaitingForPolicy = true;
                entry.Owe($"default-policy#{entry.Requests++}", new Envelope(Topic.Train, RunDefinition.DefaultPolicyRequest(record.PolicyWanted.Steps), JobIds.DefaultPolicy));
                entry.LastMessage = "waiting for the default policy (demo SFT) to be trained";
                return true;
            case LedgerRecord.KindOneofCase.PolicyResolved:
                ResolvePolicy(entry, record.PolicyResolved.Checkpoint);
                return true;
            case LedgerRecord.KindOneofCase.Events:
                var changed = false;
                foreach (var stageEvent in record.Events.Items)
                {
                    changed |= ApplyEvent(entry, stageEvent);
                }

                if (changed)
                {
                    entry.Stalls = 0;
                    run.Updated = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(record.Events.AtMs));
                }

                return changed;
            case LedgerRecord.KindOneofCase.Dispatched:
                if (record.Dispatched.Round == entry.Round)
                {
                    entry.Cursor = Math.Max(entry.Cursor, record.Dispatched.UpTo);
                }

                return false;
            case LedgerRecord.KindOneofCase.Sent:
                foreach (var id in record.Sent.Ids)
                {
                    entry.Pending.Remove(id);
                }

                return false;
            case LedgerRecord.KindOneofCase.Stalled:
                ApplyStall(entry, record.Stalled);
                return false;
            case LedgerRecord.KindOneofCase.Cancelled:
                run.State = RunState.Cancelled;
                entry.Pending.Clear();
                entry.LastMessage = "cancelled";
                return true;
            default:
                return false;
        }
    }

    private static void ResolvePolicy(RunEntry entry, string checkpoint)
    {
        entry.WaitingForPolicy = false;
        entry.Policy = checkpoint;
        if (entry.RoundRow is { } first)
        {
            first.Policy = checkpoint;
        }

        if (checkpoint.Length > 0)
        {
            entry.Run.Spec.Policy = new PolicyRef { Checkpoint = checkpoint };
        }

        entry.LastMessage = checkpoint.Length > 0 ? $"policy {checkpoint}: sampling" : "sampling";
    }

    private static bool ApplyEvent(RunEntry entry, StageEvent stageEvent)
    {
        var run = entry.Run;
        if (RunDefinition.IsFinal(run.State) || !StageNames.TryParse(stageEvent.Stage, out var stage) || !OfCurrentRound(entry, stageEvent))
        {
            return false; // an event of an earlier round (redelivered after the run moved on) changes nothing
        }

        switch (stage)
        {
            case Stage.SelectCandidates:
                if (run.State != RunState.Selecting || !RunDefinition.WarmsUp(entry.Spec) || entry.Warmup != WarmupPhase.None)
                {
                    return false; // a late or repeated answer to the first selection changes nothing
                }

                if (stageEvent.Failed)
                {
                    Fail(entry, $"dataset selection failed: {stageEvent.Error}");
                    return true;
                }

                // Less is More: the first selection's candidates feed a brief warm-up whose implicit rewards join the margins.
                entry.Warmup = WarmupPhase.Training;
                run.DatasetArtifact = stageEvent.DatasetArtifact;
                entry.Owe($"warmup#{entry.Requests++}", WarmupEnvelope(entry, stageEvent.DatasetArtifact));
                entry.LastMessage = $"{stageEvent.Selection?.CandidatePairs} candidate pairs: warming a policy up on {entry.Spec.ImplicitWarmup:P0} of them for implicit rewards";
                return true;

            case Stage.SelectDataset:
                if (run.State != RunState.Selecting || (RunDefinition.WarmsUp(entry.Spec) && entry.Warmup != WarmupPhase.Done))
                {
                    return false; // not selecting, or the round's final selection was not asked for yet
                }

                if (stageEvent.Failed)
                {
                    Fail(entry, $"dataset selection failed: {stageEvent.Error}");
                    return true;
                }

                run.Selection = stageEvent.Selection;
                run.DatasetArtifact = stageEvent.DatasetArtifact;
                Row(run, Stage.SelectDataset).Done = 1;
                if (entry.RoundRow is { } selected)
                {
                    selected.Pairs = stageEvent.Selection?.Kept ?? 0;
                    selected.MeanChosenReward = stageEvent.Selection?.MeanChosenReward ?? double.NaN;
                    selected.MeanRejectedReward = stageEvent.Selection?.MeanRejectedReward ?? double.NaN;
                    selected.DatasetArtifact = stageEvent.DatasetArtifact;
                }

                if (entry.Spec.Training is null)
                {
                    Succeed(entry, $"dataset ready: {stageEvent.Selection?.Kept} pairs");
                }
                else
                {
                    run.State = RunState.Training;
                    entry.Owe($"train#{entry.Requests++}", TrainingEnvelope(entry, stageEvent.DatasetArtifact));
                    entry.LastMessage = $"dataset ready: {stageEvent.Selection?.Kept} pairs; training";
                }

                return true;
            case Stage.Train:
                return ApplyJob(entry, stageEvent.Job);
        }

        if (!entry.TryIndex(stageEvent.PromptId, out var index))
        {
            return false;
        }

        var status = entry.Status[index];
        if (stageEvent.Failed)
        {
            if ((status & (StatusBit(Stage.Select) | FailedBit)) != 0)
            {
                return false; // finished units stay finished; a failure is reported once
            }

            entry.Status[index] |= FailedBit;
            entry.FailedCount++;
            AddDeadLetter(entry, stage, new UnitId(entry.Scope.ToString(), stageEvent.PromptId, stage).ToString(), stageEvent.Error);
        }
        else
        {
            var bit = StatusBit(stage);
            if ((status & (bit | FailedBit)) != 0)
            {
                return false; // a redelivery, or a unit that failed for good
            }

            entry.Status[index] |= bit;
            Row(run, stage).Done++;
            if (stage == Stage.Select)
            {
                entry.Finished++;
            }
        }

        MaybeSelectDataset(entry);
        return true;
    }

    private static bool ApplyJob(RunEntry entry, TrainJob? job)
    {
        if (job is null)
        {
            return false;
        }

        if (job.JobId == JobIds.DefaultPolicy)
        {
            if (!entry.WaitingForPolicy)
            {
                return false;
            }

            if (job.State == JobState.Succeeded)
            {
                ResolvePolicy(entry, job.CheckpointVersion);
                entry.LastMessage = $"default policy {job.CheckpointVersion} ready: sampling";
            }
            else
            {
                Fail(entry, $"the default policy could not be trained: {job.Error}");
            }

            return true;
        }

        if (job.JobId == JobIds.Warmup(entry.Scope.ToString()))
        {
            return ApplyWarmup(entry, job);
        }

        if (entry.Run.State != RunState.Training || job.JobId != JobIds.Training(entry.Scope.ToString()) || job.State is JobState.Queued or JobState.Running)
        {
            return false;
        }

        entry.Run.Training = job;
        entry.Run.CheckpointVersion = job.CheckpointVersion;
        if (job.State == JobState.Succeeded)
        {
            Row(entry.Run, Stage.Train).Done = 1;
            if (entry.RoundRow is { } trained)
            {
                trained.CheckpointVersion = job.CheckpointVersion;
                trained.HeldOutAccuracy = job.HeldOutAccuracy;
                trained.TrainingLoss = job.FinalLoss;
            }

            if (entry.CurrentRound < RunDefinition.Rounds(entry.Spec))
            {
                StartRound(entry, entry.CurrentRound + 1, job.CheckpointVersion);
            }
            else
            {
                Succeed(entry, $"trained: checkpoint {job.CheckpointVersion}");
            }
        }
        else
        {
            Fail(entry, $"training {job.State}: {job.Error}");
        }

        return true;
    }

    /// <summary>The warm-up ended: its implicit rewards are in the round's units, so the round is selected again (or fails).</summary>
    private static bool ApplyWarmup(RunEntry entry, TrainJob job)
    {
        if (entry.Run.State != RunState.Selecting || entry.Warmup != WarmupPhase.Training || job.State is JobState.Queued or JobState.Running)
        {
            return false;
        }

        if (job.State != JobState.Succeeded)
        {
            Fail(entry, $"the implicit-reward warm-up {job.State}: {job.Error}");
            return true;
        }

        entry.Warmup = WarmupPhase.Done;
        if (entry.RoundRow is { } row)
        {
            row.WarmupCheckpoint = job.CheckpointVersion;
        }

        entry.Owe($"dataset#{entry.Requests++}", DatasetEnvelope(entry));
        entry.LastMessage = $"warm-up policy {job.CheckpointVersion} scored every response: selecting with external and implicit margins";
        return true;
    }

    /// <summary>Every prompt finished or failed: the dataset step (or the run's end when nothing finished).</summary>
    private static void MaybeSelectDataset(RunEntry entry)
    {
        if (entry.Run.State != RunState.Running || entry.Finished + entry.FailedCount < entry.Prompts)
        {
            return;
        }

        if (entry.Finished == 0)
        {
            Fail(entry, "every prompt failed; see dead_letters");
            return;
        }

        entry.Run.State = RunState.Selecting;
        entry.Owe($"dataset#{entry.Requests++}", DatasetEnvelope(entry));
        entry.LastMessage = $"all {entry.Prompts} prompts arrived ({entry.FailedCount} failed): selecting the dataset";
    }

    /// <summary>A stall: the missing work is sent again (a new dispatch round, or the pending request again), or given up.</summary>
    private void ApplyStall(RunEntry entry, Stalled stalled)
    {
        if (!stalled.Restart)
        {
            entry.Stalls++;
        }

        var run = entry.Run;
        if (RunDefinition.IsFinal(run.State))
        {
            return;
        }

        if (run.State == RunState.Running && entry.WaitingForPolicy)
        {
            if (stalled.Retried)
            {
                entry.Owe($"default-policy#{entry.Requests++}", new Envelope(Topic.Train, RunDefinition.DefaultPolicyRequest(_options.DefaultPolicySftSteps), JobIds.DefaultPolicy));
            }
            else
            {
                Fail(entry, $"the default policy was not trained: {stalled.Reason}");
            }
        }
        else if (run.State == RunState.Running)
        {
            if (stalled.Retried)
            {
                entry.Round++;
                entry.Cursor = 0;
                entry.LastMessage = $"{entry.Prompts - entry.Finished - entry.FailedCount} prompts stalled ({stalled.Reason}): sending them again";
                return;
            }

            for (var i = 0; i < entry.Prompts; i++)
            {
                var status = entry.Status[i];
                if ((status & (StatusBit(Stage.Select) | FailedBit)) == 0)
                {
                    var stuck = RunDefinition.PerPrompt.First(s => (status & StatusBit(s)) == 0 && RunDefinition.Includes(entry.Spec, s));
                    entry.Status[i] |= FailedBit;
                    entry.FailedCount++;
                    AddDeadLetter(entry, stuck, new UnitId(entry.Scope.ToString(), entry.PromptIdAt(i), stuck).ToString(), $"stalled: {stalled.Reason}");
                }
            }

            MaybeSelectDataset(entry);
        }
        else if (run.State == RunState.Selecting)
        {
            if (stalled.Retried && entry.Warmup == WarmupPhase.Training)
            {
                entry.Owe($"warmup#{entry.Requests++}", WarmupEnvelope(entry, run.DatasetArtifact));
            }
            else if (stalled.Retried)
            {
                entry.Owe($"dataset#{entry.Requests++}", DatasetEnvelope(entry));
            }
            else
            {
                Fail(entry, $"dataset selection did not answer: {stalled.Reason}");
            }
        }
        else if (run.State == RunState.Training)
        {
            if (stalled.Retried)
            {
                entry.Owe($"train#{entry.Requests++}", TrainingEnvelope(entry, run.DatasetArtifact));
            }
            else
            {
                Fail(entry, $"training did not report: {stalled.Reason}");
            }
        }
    }

    private static void AddDeadLetter(RunEntry entry, Stage stage, string unitId, string error)
    {
        entry.Run.DeadLetterCount++;
        if (entry.Run.DeadLetters.Count < MaxListedDeadLetters)
        {
            entry.Run.DeadLetters.Add(new DeadLetter { Stage = stage.Name(), UnitId = unitId, Error = error });
        }

        entry.LastMessage = $"{stage.Name()} failed for {unitId}: {error}";
    }

    /// <summary>The current round's dataset step over the prompts that finished.</summary>
    private static Envelope DatasetEnvelope(RunEntry entry)
    {
        var finished = Enumerable.Range(0, entry.Prompts)
            .Select(i => (entry.Status[i] & StatusBit(Stage.Select)) != 0 && (entry.Status[i] & FailedBit) == 0)
            .ToArray();
        var beforeWarmup = RunDefinition.WarmsUp(entry.Spec) && entry.Warmup == WarmupPhase.None;
        var request = RunDefinition.DatasetRequest(entry.Spec, entry.Scope, entry.PromptsArtifact, entry.RoundStart, finished, beforeWarmup);
        return new Envelope(Topic.Select, request, UnitId.ForRun(entry.Scope.ToString(), beforeWarmup ? Stage.SelectCandidates : Stage.SelectDataset).ToString());
    }

    /// <summary>The current round's Less-is-More warm-up, from the policy it sampled with.</summary>
    private static Envelope WarmupEnvelope(RunEntry entry, string datasetArtifact) =>
        new(Topic.Train, RunDefinition.WarmupRequest(entry.Spec, entry.Scope, entry.Policy ?? string.Empty, datasetArtifact), JobIds.Warmup(entry.Scope.ToString()));

    /// <summary>The current round's training, from the policy it sampled with.</summary>
    private static Envelope TrainingEnvelope(RunEntry entry, string datasetArtifact) =>
        new(Topic.Train, RunDefinition.TrainingRequest(entry.Spec, entry.Scope, entry.Policy ?? string.Empty, datasetArtifact), JobIds.Training(entry.Scope.ToString()));

    /// <summary>
    /// The next round: its prompts are sampled from the start, with the checkpoint the round before trained as the
    /// policy (and so as the next training's reference). What finished in earlier rounds stays in their rows.
    /// </summary>
    private static void StartRound(RunEntry entry, int round, string policy)
    {
        var run = entry.Run;
        entry.BeginRound(round);
        entry.Policy = policy;
        entry.Round++; // a new dispatch pass: a late Dispatched record of the round before matches no pass of this one
        entry.FirstPass = entry.Round;
        entry.Cursor = 0;
        run.State = RunState.Running;
        run.Round = round;
        run.Stages.Clear();
        run.Stages.Add(RunDefinition.InitialProgress(entry.Spec, entry.Prompts));
        run.Rounds.Add(NewRoundRow(round, entry.Prompts, policy));
        entry.LastMessage = $"round {round} of {RunDefinition.Rounds(entry.Spec)}: sampling {entry.Prompts} prompts with policy {policy}";
    }

    private static RoundSummary NewRoundRow(int round, int prompts, string policy) => new()
    {
        Round = round,
        Prompts = prompts,
        Policy = policy,
        MeanChosenReward = double.NaN,
        MeanRejectedReward = double.NaN,
        HeldOutAccuracy = double.NaN,
        TrainingLoss = double.NaN,
    };

    /// <summary>Whether an event belongs to the round the run is in (the default policy's job belongs to every run waiting for it).</summary>
    private static bool OfCurrentRound(RunEntry entry, StageEvent stageEvent) =>
        stageEvent.Job?.JobId == JobIds.DefaultPolicy || RunRound.Parse(stageEvent.RunId).Round == entry.CurrentRound;

    private static void Succeed(RunEntry entry, string message)
    {
        entry.Run.State = RunState.Succeeded;
        entry.Pending.Clear();
        entry.LastMessage = message;
    }

    private static void Fail(RunEntry entry, string error)
    {
        entry.Run.State = RunState.Failed;
        entry.Run.Error = error;
        entry.Pending.Clear();
        entry.LastMessage = error;
    }

    private static byte StatusBit(Stage stage) => (byte)(1 << (int)stage);

    private static StageProgress Row(Run run, Stage stage) => run.Stages.First(s => s.Stage == stage.Name());

    private async Task<LedgerRecord> PolicyRecordAsync(RunSpec spec, CancellationToken cancellationToken)
    {
        if (spec.Policy is { Checkpoint.Length: > 0 } given)
        {
            return new LedgerRecord { PolicyResolved = new PolicyResolved { Checkpoint = given.Checkpoint } };
        }

        if (!_options.SamplerNeedsPolicy && spec.Training is null)
        {
            return new LedgerRecord { PolicyResolved = new PolicyResolved() };
        }

        if (await _store.ReadAsync(ArtifactPaths.PolicyAlias(JobIds.DefaultPolicyAlias), cancellationToken).ConfigureAwait(false) is { Length: > 0 } alias)
        {
            return new LedgerRecord { PolicyResolved = new PolicyResolved { Checkpoint = System.Text.Encoding.UTF8.GetString(alias) } };
        }

        return new LedgerRecord { PolicyWanted = new PolicyWanted { Steps = _options.DefaultPolicySftSteps } };
    }

    private async Task CrashPointAsync()
    {
        if (BeforeSend is { } hook)
        {
            await hook().ConfigureAwait(false);
        }

        if (_options.CrashAfterSaves > 0 && Interlocked.Increment(ref _saves) >= _options.CrashAfterSaves)
        {
            LogFaultInjected(_logger, _options.CrashAfterSaves);
            using var self = Process.GetCurrentProcess();
            self.Kill(); // SIGKILL: nothing after the ledger write runs, as in a crash
        }
    }

    private async Task SaveSnapshotAsync(RunEntry entry, bool force, CancellationToken cancellationToken)
    {
        var now = NowMs;
        if (!force && now - entry.LastSnapshotMs < SnapshotInterval.TotalMilliseconds)
        {
            return;
        }

        entry.LastSnapshotMs = now;
        try
        {
            await _store.WriteAsync(ArtifactPaths.Run(entry.Spec.RunId), Snapshot(entry).ToByteArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            // The ledger holds the truth; the snapshot is for readers (reports) and is written again with the next change.
            LogSnapshotFailed(_logger, entry.Spec.RunId, error);
        }
    }

    private static void Notify(RunEntry entry, string message, TrainProgress? progress)
    {
        if (entry.Watchers.IsEmpty)
        {
            return;
        }

        var change = new RunEvent { RunId = entry.Spec.RunId, Run = Snapshot(entry), Message = message, TrainProgress = progress };
        foreach (var watcher in entry.Watchers.Keys)
        {
            watcher.Writer.TryWrite(change);
        }
    }

    private static Run Snapshot(RunEntry entry) => entry.Run.Clone();

    private RunEntry Find(string runId) => _runs.TryGetValue(runId, out var entry)
        ? entry
        : throw new KeyNotFoundException($"No run '{runId}'.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} ({State}): {Change}")]
    private static partial void LogChange(ILogger logger, string runId, RunState state, string change);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} loaded ({State}) from {Records} ledger records")]
    private static partial void LogLoaded(ILogger logger, string runId, RunState state, int records);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} ({State}) stalled: {Reason}; sending its work again: {Retry}")]
    private static partial void LogStalled(ILogger logger, string runId, RunState state, string reason, bool retry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: sending or dispatching failed; trying again")]
    private static partial void LogPumpFailed(ILogger logger, string runId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: its snapshot could not be written")]
    private static partial void LogSnapshotFailed(ILogger logger, string runId, Exception error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Fault injection: killing this process after {Saves} ledger writes, before their messages are sent")]
    private static partial void LogFaultInjected(ILogger logger, int saves);

    /// <summary>One run in memory: its settings, prompt ids, folded state, ledger and what it still owes.</summary>
    private sealed class RunEntry
    {
        /// <param name="settings">The spec without its prompts: the entry keeps the prompt ids, not the prompts.</param>
        /// <param name="promptsArtifact">Where the prompts are stored, read again as they are dispatched.</param>
        public RunEntry(RunSpec settings, PromptIndex prompts, RunLedger ledger, IArtifactStore store, string promptsArtifact)
        {
            Ledger = ledger;
            PromptsArtifact = promptsArtifact;
            PromptCursor = new PromptCursor(store, promptsArtifact);
            PromptIds = [.. prompts.Ids];
            PromptsHash = prompts.Hash();
            Index = new Dictionary<string, int>(PromptCount, StringComparer.Ordinal);
            for (var i = 0; i < PromptCount; i++)
            {
                Index[PromptIds[i]] = i;
            }

            Spec = settings;
            BeginRound(1);
            Run = new Run { RunId = settings.RunId, State = RunState.Unspecified, Spec = settings.Clone(), PromptCount = PromptCount };
            Run.Stages.Add(RunDefinition.InitialProgress(settings, Prompts));
            if (RunDefinition.Rounds(settings) > 1 || RunDefinition.WarmsUp(settings))
            {
                Run.Round = 1;
                Run.Rounds.Add(NewRoundRow(1, Prompts, string.Empty));
            }
        }

        /// <summary>The run's settings (its prompts are in <see cref="PromptsArtifact"/>).</summary>
        public RunSpec Spec { get; }

        /// <summary>Where the run's prompts are stored, for dispatch and the dataset step to read.</summary>
        public string PromptsArtifact { get; }

        /// <summary>Reads the stored prompts in order as the fan-out reaches them.</summary>
        public PromptCursor PromptCursor { get; }

        public int PromptCount => PromptIds.Length;

        /// <summary>Every prompt's id, in the spec's order.</summary>
        public string[] PromptIds { get; }

        /// <summary>The SHA-256 of the prompts, to tell a resubmission of the same run from another run under its id.</summary>
        public string PromptsHash { get; }

        public RunLedger Ledger { get; }

        public Run Run { get; }

        /// <summary>Prompts of the current round.</summary>
        public int Prompts { get; private set; }

        /// <summary>Per prompt of the current round: one bit per stage done, and <see cref="FailedBit"/>.</summary>
        public byte[] Status { get; private set; } = [];

        /// <summary>Every prompt's position in the spec.</summary>
        public Dictionary<string, int> Index { get; }

        /// <summary>The round the run is in, from 1.</summary>
        public int CurrentRound { get; private set; }

        /// <summary>Where the current round's prompts start in the spec.</summary>
        public int RoundStart { get; private set; }

        /// <summary>The current round's scope: the run id its messages carry, its artifacts' folder.</summary>
        public RunRound Scope => new(Spec.RunId, CurrentRound);

        /// <summary>The current round's row, for runs of more than one round.</summary>
        public RoundSummary? RoundRow => Run.Rounds.Count > 0 ? Run.Rounds[^1] : null;

        /// <summary>The dispatch pass that began the current round (its first pass sends every prompt, without looking).</summary>
        public int FirstPass { get; set; }

        public string PromptIdAt(int index) => PromptIds[RoundStart + index];

        /// <summary>The position of a prompt of the current round; false for prompts of other rounds or none.</summary>
        public bool TryIndex(string promptId, out int index)
        {
            index = Index.TryGetValue(promptId, out var position) ? position - RoundStart : -1;
            return index >= 0 && index < Prompts;
        }

        /// <summary>Counts start again for a round's prompts.</summary>
        public void BeginRound(int round)
        {
            CurrentRound = round;
            (RoundStart, Prompts) = RunDefinition.RoundPrompts(Spec, round, PromptCount);
            Status = new byte[Prompts];
            Finished = 0;
            FailedCount = 0;
            Warmup = WarmupPhase.None;
        }

        /// <summary>Where the current round is in its Less-is-More warm-up.</summary>
        public WarmupPhase Warmup { get; set; }

        public int Finished { get; set; }

        public int FailedCount { get; set; }

        public string? Policy { get; set; }

        public bool WaitingForPolicy { get; set; }

        /// <summary>The dispatch pass (a stall or restart sends the unfinished prompts again in a new pass; so does a new round).</summary>
        public int Round { get; set; }

        public int Cursor { get; set; }

        public int Requests { get; set; }

        public int Stalls { get; set; }

        /// <summary>The outbox: messages owed, by outbox id, in the order they were owed.</summary>
        public Dictionary<string, Envelope> Pending { get; } = new(StringComparer.Ordinal);

        public long LastProgressMs { get; set; }

        public long LastSnapshotMs { get; set; }

        public string LastMessage { get; set; } = string.Empty;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public ConcurrentDictionary<Channel<RunEvent>, bool> Watchers { get; } = new();

        public void Owe(string id, Envelope envelope) => Pending[id] = envelope;
    }

    /// <summary>A round's Less-is-More warm-up: not begun, training (after the first selection), done (the final selection).</summary>
    private enum WarmupPhase
    {
        None,
        Training,
        Done,
    }

    /// <summary>The events topic's handler: events in batches, one ledger write per run per batch.</summary>
    private sealed class RunEventsHandler(RunCoordinator coordinator) : IStageHandler
    {
        public Topic Topic => Topic.Events;

        public int MaxBatch => 256;

        public async Task<IReadOnlyList<Envelope>> HandleAsync(IReadOnlyList<Delivered> messages, CancellationToken cancellationToken)
        {
            await coordinator.OnEventsAsync(messages.Select(m => m.Message as StageEvent ?? throw new InvalidRequestException("type", $"the events topic takes StageEvent, not {m.Message.Descriptor.FullName}")).ToArray(), cancellationToken).ConfigureAwait(false);
            return [];
        }

        public Envelope? GiveUp(Delivered message, Exception failure) => null;
    }
}

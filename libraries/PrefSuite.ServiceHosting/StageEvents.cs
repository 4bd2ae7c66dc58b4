using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Runs;

namespace PrefSuite.ServiceHosting;

/// <summary>Publishes the events the pipeline service counts: a unit finished or failed a stage.</summary>
public sealed class StageEvents(IStageBus bus)
{
    /// <summary>The "done" event as an outgoing message, for handlers that publish their outputs and events together.</summary>
    public static (string Queue, IMessage Message, string UnitId) Done(string runId, string stage, string promptId) =>
        Outgoing(new StageEvent { RunId = runId, Stage = stage, PromptId = promptId });

    public Task DoneAsync(string runId, string stage, string promptId, CancellationToken cancellationToken = default) =>
        PublishAsync(new StageEvent { RunId = runId, Stage = stage, PromptId = promptId }, cancellationToken);

    public Task FailedAsync(string runId, string stage, string promptId, string error, CancellationToken cancellationToken = default) =>
        PublishAsync(new StageEvent { RunId = runId, Stage = stage, PromptId = promptId, Failed = true, Error = error }, cancellationToken);

    /// <summary>Reports a unit's queue message given up: its unit id ("run/prompt/stage") names the run and prompt.</summary>
    public Task UnitFailedAsync(string stage, string unitId, Exception failure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var (runId, promptId) = UnitIds.Split(unitId);
        return FailedAsync(runId, stage, promptId, failure.Message, cancellationToken);
    }

    public Task PublishAsync(StageEvent stageEvent, CancellationToken cancellationToken = default)
    {
        var (queue, message, unitId) = Outgoing(stageEvent);
        return bus.PublishAsync(queue, message, unitId, cancellationToken);
    }

    private static (string Queue, IMessage Message, string UnitId) Outgoing(StageEvent stageEvent)
    {
        ArgumentNullException.ThrowIfNull(stageEvent);
        return (Queues.Events, stageEvent, $"{stageEvent.RunId}/{stageEvent.PromptId}/{stageEvent.Stage}/{(stageEvent.Failed ? "failed" : "done")}");
    }
}

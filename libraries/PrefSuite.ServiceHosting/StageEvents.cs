using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Runs;

namespace PrefSuite.ServiceHosting;

/// <summary>Publishes the events the pipeline service counts: a unit finished or failed a stage.</summary>
public sealed class StageEvents(IStageBus bus)
{
    public Task DoneAsync(string runId, string stage, string promptId, CancellationToken cancellationToken = default) =>
        bus.PublishAsync(Queues.Events, new StageEvent { RunId = runId, Stage = stage, PromptId = promptId }, $"{runId}/{promptId}/{stage}/done", cancellationToken);

    public Task FailedAsync(string runId, string stage, string promptId, string error, CancellationToken cancellationToken = default) =>
        bus.PublishAsync(Queues.Events, new StageEvent { RunId = runId, Stage = stage, PromptId = promptId, Failed = true, Error = error }, $"{runId}/{promptId}/{stage}/failed", cancellationToken);

    public Task PublishAsync(StageEvent stageEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stageEvent);
        return bus.PublishAsync(Queues.Events, stageEvent, $"{stageEvent.RunId}/{stageEvent.PromptId}/{stageEvent.Stage}/{(stageEvent.Failed ? "failed" : "done")}", cancellationToken);
    }
}

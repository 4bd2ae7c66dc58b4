using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Selection;

/// <summary>
/// The selection topic carries two messages: a scored unit (stored for its run; idempotent) and, once every prompt
/// has finished or failed, the run's dataset request (pairs selected, datasets written, the workflow told).
/// </summary>
public sealed class SelectHandler(SelectionStage stage, RunSpecs runs) : IStageHandler
{
    public Topic Topic => Topic.Select;

    public int MaxBatch => 32;

    public async Task<IReadOnlyList<Envelope>> HandleAsync(IReadOnlyList<Delivered> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var outgoing = new List<Envelope>(messages.Count);
        foreach (var unit in messages.Select(m => m.Message).OfType<PromptUnit>())
        {
            if (!await runs.IsCancelledAsync(unit.RunId, cancellationToken).ConfigureAwait(false))
            {
                await stage.StoreUnitAsync(unit, cancellationToken).ConfigureAwait(false);
                outgoing.Add(StageEvents.Done(unit.RunId, Stage.Select, unit.Prompt.PromptId));
            }
        }

        // The workflow asks for the dataset step only after every unit reported, so the units are stored by then.
        foreach (var request in messages.Select(m => m.Message as DatasetSelectRequest ?? (m.Message is PromptUnit ? null : StageMessages.As<DatasetSelectRequest>(m))).OfType<DatasetSelectRequest>())
        {
            if (!await runs.IsCancelledAsync(request.RunId, cancellationToken).ConfigureAwait(false))
            {
                var (summary, pairs, _) = await stage.SelectDatasetAsync(request, cancellationToken).ConfigureAwait(false);
                var answered = request.Candidates ? Stage.SelectCandidates : Stage.SelectDataset;
                outgoing.Add(StageEvents.Of(new StageEvent { RunId = request.RunId, Stage = answered.Name(), Selection = summary, DatasetArtifact = pairs }));
            }
        }

        return outgoing;
    }

    public Envelope? GiveUp(Delivered message, Exception failure) => StageEvents.UnitFailed(message?.Id ?? string.Empty, failure);
}

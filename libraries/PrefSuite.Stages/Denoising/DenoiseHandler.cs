using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Denoising;

/// <summary>Scored units → robust PCA of each prompt's comparisons → selection, and the events.</summary>
public sealed class DenoiseHandler(RunSpecs runs) : IStageHandler
{
    public Topic Topic => Topic.Denoise;

    public int MaxBatch => 32;

    public async Task<IReadOnlyList<Envelope>> HandleAsync(IReadOnlyList<Delivered> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var outgoing = new List<Envelope>(2 * messages.Count);
        foreach (var unit in await runs.ActiveAsync(messages.Select(m => StageMessages.As<PromptUnit>(m)), u => u.RunId, cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            outgoing.Add(StageMessages.Unit(DenoisingStage.DenoiseUnit(unit), Stage.Select));
            outgoing.Add(StageEvents.Done(unit.RunId, Stage.Denoise, unit.Prompt.PromptId));
        }

        return outgoing;
    }

    public Envelope? GiveUp(Delivered message, Exception failure) => StageEvents.UnitFailed(message?.Id ?? string.Empty, failure);
}

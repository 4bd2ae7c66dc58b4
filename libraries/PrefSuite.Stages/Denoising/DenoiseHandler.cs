using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Denoising;

/// <summary>Scored units → robust PCA of each prompt's comparisons → selection, and the events.</summary>
public sealed class DenoiseHandler(RunSpecs runs) : IStageHandler
{
    public Topic Topic => Topic.Denoise;

    public int MaxBatch => 32;

    public Task<IReadOnlyList<Envelope>> HandleAsync(IReadOnlyList<Delivered> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var outgoing = new List<Envelope>(2 * messages.Count);
        foreach (var unit in messages.Select(m => StageMessages.As<PromptUnit>(m)).Where(u => !runs.IsCancelled(u.RunId)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            outgoing.Add(StageMessages.Unit(DenoisingStage.DenoiseUnit(unit), Stage.Select));
            outgoing.Add(StageEvents.Done(unit.RunId, Stage.Denoise, unit.Prompt.PromptId));
        }

        return Task.FromResult<IReadOnlyList<Envelope>>(outgoing);
    }

    public Envelope? GiveUp(Delivered message, Exception failure) => StageEvents.UnitFailed(message?.Id ?? string.Empty, failure);
}

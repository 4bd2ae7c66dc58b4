using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Sampling;

/// <summary>Sample units → each prompt's N responses (many prompts per batch) to scoring, and the events.</summary>
public sealed class SampleHandler(SamplingStage stage, RunSpecs runs) : IStageHandler
{
    public Topic Topic => Topic.Sample;

    public int MaxBatch => 32;

    public async Task<IReadOnlyList<Envelope>> HandleAsync(IReadOnlyList<Delivered> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var units = await runs.ActiveAsync(messages.Select(m => StageMessages.As<SampleUnit>(m)), u => u.RunId, cancellationToken).ConfigureAwait(false);
        if (units.Count == 0)
        {
            return [];
        }

        var sampled = await stage.SampleUnitsAsync(units, cancellationToken).ConfigureAwait(false);
        var outgoing = new List<Envelope>(2 * sampled.Count);
        foreach (var unit in sampled)
        {
            outgoing.Add(StageMessages.Unit(unit, Stage.Score));
            outgoing.Add(StageEvents.Done(unit.RunId, Stage.Sample, unit.Prompt.PromptId));
        }

        return outgoing;
    }

    public Envelope? GiveUp(Delivered message, Exception failure) => StageEvents.UnitFailed(message?.Id ?? string.Empty, failure);
}

using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Scoring;

/// <summary>Sampled units → every response scored (many units at once, through the cache) → denoising (or selection), and the events.</summary>
public sealed class ScoreHandler(Func<Task<ScoringStage>> stage, RunSpecs runs) : IStageHandler
{
    public Topic Topic => Topic.Score;

    public int MaxBatch => 32;

    public async Task<IReadOnlyList<Envelope>> HandleAsync(IReadOnlyList<Delivered> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var units = await runs.ActiveAsync(messages.Select(m => StageMessages.As<PromptUnit>(m)), u => u.RunId, cancellationToken).ConfigureAwait(false);
        if (units.Count == 0)
        {
            return [];
        }

        var scoring = await stage().ConfigureAwait(false);
        var outgoing = new List<Envelope>(2 * units.Count);
        foreach (var run in units.GroupBy(u => u.RunId))
        {
            // The run's scorers (RunSpec.scorers), or the service's default when it names none.
            var spec = await runs.GetAsync(run.Key, cancellationToken).ConfigureAwait(false);
            var next = RunDefinition.After(Stage.Score, spec)!.Value;
            foreach (var unit in await scoring.ScoreUnitsAsync([.. run], spec.Scorers.Count > 0 ? [.. spec.Scorers] : null, cancellationToken).ConfigureAwait(false))
            {
                outgoing.Add(StageMessages.Unit(unit, next));
                outgoing.Add(StageEvents.Done(unit.RunId, Stage.Score, unit.Prompt.PromptId));
            }
        }

        return outgoing;
    }

    public Envelope? GiveUp(Delivered message, Exception failure) => StageEvents.UnitFailed(message?.Id ?? string.Empty, failure);
}

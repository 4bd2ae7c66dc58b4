using Microsoft.Extensions.Logging.Abstractions;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Caching;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Scoring;
using PrefSuite.Stages.Storage;

namespace PrefSuite.Cli.Runs;

/// <summary>Wires the embedded pipeline for a run config: stores under runs_dir, the built-in sampler, the configured scorers.</summary>
public static class EmbeddedRunner
{
    public static async Task<Run> RunAsync(RunConfig config, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        TorchSharp.torch.set_num_threads(config.EffectiveThreads);
        var store = new FileArtifactStore(config.RunsDir);
        using var policies = new PolicyStore(store);
        var scorers = new List<Models.Rewards.IRewardScorer>();
        foreach (var spec in config.EffectiveScorers())
        {
            scorers.Add(await ScorerCatalog.CreateAsync(spec, policies, NullLogger.Instance, cancellationToken).ConfigureAwait(false));
        }

        var pipeline = new EmbeddedPipeline(store, policies, new PolicySampler(policies), new ScoringStage(scorers, new MemoryRewardCache()), TimeProvider.System)
        {
            DefaultPolicySftSteps = config.SftSteps,
        };
        return await pipeline.RunAsync(config.ToSpec(), progress, cancellationToken).ConfigureAwait(false);
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Caching;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Scoring;
using PrefSuite.Stages.Storage;

namespace PrefSuite.Cli.Runs;

/// <summary>Wires the embedded pipeline for a run config: stores under runs_dir, the configured sampler (a policy or an OpenAI-compatible server) and scorers.</summary>
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

        var sampling = config.SamplerOptions();
        using var sampler = SamplerSettings.Create(sampling, policies);
        var pipeline = new EmbeddedPipeline(store, policies, sampler.Sampler, new ScoringStage(scorers, new MemoryRewardCache()), TimeProvider.System)
        {
            DefaultPolicySftSteps = config.SftSteps,
            SamplerUsesPolicy = !sampling.IsOpenAi,
        };
        return await pipeline.RunAsync(config.ToSpec(), progress, cancellationToken).ConfigureAwait(false);
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Caching;
using PrefSuite.Stages.Denoising;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Scoring;
using PrefSuite.Stages.Selection;
using PrefSuite.Stages.Training;
using PrefSuite.Storage;
using PrefSuite.Transport.InProcess;
using PrefSuite.Workflow;

namespace PrefSuite.Cli.Runs;

/// <summary>
/// A run in this process: the run workflow the stack runs, over the in-process transport, with every stage handler
/// here (stores under runs_dir, the configured sampler and scorers). Running the same run id again resumes it from its
/// ledger: finished prompts stay finished, and only unfinished ones are sent again.
/// </summary>
public static class EmbeddedRunner
{
    public static async Task<Run> RunAsync(RunConfig config, IProgress<PipelineProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(progress);
        Models.Native.TorchThreads.Set(config.EffectiveThreads);
        var store = new FileArtifactStore(config.RunsDir);
        var runSpec = config.Settings();
        using var policies = SamplerSettings.Policies(store, [runSpec.Policy?.Checkpoint], config.EffectiveScorers());
        var scorers = new List<Models.Rewards.IRewardScorer>();
        foreach (var spec in config.EffectiveScorers())
        {
            scorers.Add(await ScorerCatalog.CreateAsync(spec, policies, NullLogger.Instance, cancellationToken).ConfigureAwait(false));
        }

        var sampling = config.SamplerOptions();
        using var sampler = SamplerSettings.Create(sampling, policies);
        if (runSpec.Policy is { Checkpoint.Length: > 0 } given)
        {
            // A policy the user named on the command line: refused here, before anything starts, when it does not exist.
            await policies.ResolveFolderAsync(given.Checkpoint, cancellationToken).ConfigureAwait(false);
        }

        var options = Options.Create(new WorkflowOptions
        {
            DefaultPolicySftSteps = config.SftSteps,
            SamplerNeedsPolicy = !sampling.IsOpenAi,
            DispatchChunk = 32,
            MaxPromptsInFlight = 512,
        });
        var transport = new InProcessTransport(NullLogger<InProcessTransport>.Instance);
        await using (transport.ConfigureAwait(false))
        {
            var coordinator = new RunCoordinator(store, transport, new RunSpecRules(TimeProvider.System), options, TimeProvider.System, NullLogger<RunCoordinator>.Instance);
            await using (coordinator.ConfigureAwait(false))
            {
                var runs = new RunSpecs(store);
                var scoring = new ScoringStage(scorers, new MemoryRewardCache(), [.. scorers.Select(s => s.Id)]); // every scorer the run names
                var jobs = new TrainingJobs(policies, store, NullLogger<TrainingJobs>.Instance, transport) { ProgressInterval = TimeSpan.FromMilliseconds(250) };
                transport.Register(new SampleHandler(new SamplingStage(sampler.Sampler), runs));
                transport.Register(new ScoreHandler(() => Task.FromResult(scoring), runs));
                transport.Register(new DenoiseHandler(runs));
                transport.Register(new SelectHandler(new SelectionStage(store), runs));
                transport.Register(new TrainHandler(jobs));
                transport.Register(coordinator.EventsHandler);

                using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var worker = jobs.RunAsync(stopping.Token);
                try
                {
                    transport.Start();
                    if (!string.IsNullOrEmpty(runSpec.RunId))
                    {
                        await coordinator.LoadAsync(runSpec.RunId, cancellationToken).ConfigureAwait(false);
                    }

                    await coordinator.StartAsync(cancellationToken).ConfigureAwait(false);

                    // A prompts file is spooled as it is read, as the stack's pipeline spools a streamed submission.
                    using var prompts = new PromptSpool(RunSpecValidation.MaxPrompts);
                    await foreach (var prompt in config.FilePromptsAsync(cancellationToken).ConfigureAwait(false))
                    {
                        prompts.Add(prompt);
                    }

                    var run = await coordinator.SubmitAsync(runSpec, prompts, cancellationToken).ConfigureAwait(false);
                    await foreach (var change in coordinator.WatchAsync(run.RunId, cancellationToken).ConfigureAwait(false))
                    {
                        run = change.Run;
                        RunProgress.Report(change, progress);
                    }

                    return run;
                }
                finally
                {
                    await stopping.CancelAsync().ConfigureAwait(false);
                    try
                    {
                        await worker.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }
        }
    }
}

using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Margins;
using PrefSuite.Stages.Mapping;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Reports;

/// <summary>Collects a run's report data from its artifacts (embedded and stack runs store the same files).</summary>
public static class RunReportReader
{
    public static async Task<RunReportData> ReadAsync(IArtifactStore store, string runId, int examples = 4, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var run = Run.Parser.ParseFrom(await store.ReadAsync(ArtifactPaths.Run(runId), cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No run '{runId}' in {store.Description}."));
        // An iterative run reports on its last round's units and pairs (its rounds table covers the others).
        var scope = new RunRound(runId, Math.Max(1, run.Round)).ToString();
        var units = new List<PromptUnit>();
        await foreach (var path in store.ListAsync(ArtifactPaths.SelectedUnitsFolder(scope), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            units.Add(PromptUnit.Parser.ParseFrom(await store.ReadAsync(path, cancellationToken).ConfigureAwait(false)));
        }

        // The run message carries no prompts; the stored spec has them in their order.
        var spec = await StoredRunSpec.ReadAsync(store, runId, cancellationToken).ConfigureAwait(false) ?? run.Spec;
        var order = spec.Prompts.Select((p, i) => (p.PromptId, i)).ToDictionary(x => x.PromptId, x => x.i, StringComparer.Ordinal);
        units = [.. units.OrderBy(u => order.GetValueOrDefault(u.Prompt.PromptId, int.MaxValue))];
        var kept = store is ILocalArtifactStore local && await store.ExistsAsync(ArtifactPaths.Pairs(scope), cancellationToken).ConfigureAwait(false)
            ? await PairRowReader.ReadAllAsync(local.LocalPath(ArtifactPaths.Pairs(scope)), cancellationToken).ConfigureAwait(false)
            : [];
        var keptByPrompt = kept.Where(r => r.PromptId is not null).GroupBy(r => r.PromptId!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        // Every candidate pair: the same selection with nothing dropped, for the margin and probability histograms.
        var scored = units.Select(u => SelectionMapping.ToScoredPrompt(u)).ToArray();
        var everything = DatasetPairSelector.Select(scored, new SelectOptions
        {
            Strategy = SelectionMapping.ToOptions(run.Spec.Strategy),
            Dataset = SelectionMapping.ToOptions(run.Spec.Dataset) with { Keep = KeepRule.All, RouteSmallMargins = false },
        });
        var dataset = SelectionMapping.ToOptions(run.Spec.Dataset);
        var keptMargins = kept.Select(r => r.Margin ?? 0).ToArray();

        var examplesData = scored.Take(examples).Select(p =>
        {
            var rewards = p.Responses.Select(r => r.Reward).ToArray();
            return keptByPrompt.TryGetValue(p.PromptId, out var row)
                ? new PromptRewards(p.PromptId, p.Prompt.Flatten(), rewards, row.ChosenIndex ?? -1, row.RejectedIndex ?? -1, row.ChosenPosition ?? string.Empty, row.RejectedPosition ?? string.Empty)
                : new PromptRewards(p.PromptId, p.Prompt.Flatten(), rewards, -1, -1, string.Empty, string.Empty);
        }).ToArray();

        return new RunReportData
        {
            RunId = runId,
            Run = run,
            Examples = examplesData,
            CandidateMargins = everything.Rows.Select(r => r.Margin ?? 0).ToArray(),
            CandidateProbabilities = everything.Rows.Select(r => r.Probability ?? double.NaN).ToArray(),
            KeepThreshold = kept.Count < everything.Rows.Count && kept.Count > 0 ? kept.Min(r => r.Probability ?? double.NaN) : double.NaN,
            RouteThreshold = dataset.RouteSmallMargins && keptMargins.Length > 0 ? Science.Statistics.Quantile.Of(keptMargins, dataset.RouteQuantile) : double.NaN,
            FlaggedPerPrompt = units.Select(u => u.Denoise?.Flagged ?? 0).ToArray(),
            KendallTauPerPrompt = units.Select(u => u.Denoise?.KendallTau ?? double.NaN).ToArray(),
            MeanBestReward = scored.Length == 0 ? double.NaN : scored.Average(p => p.Responses.Max(r => r.Reward)),
            Training = await TrainingAsync(store, run, cancellationToken).ConfigureAwait(false),
        };
    }

    private static async Task<IReadOnlyList<TrainProgress>> TrainingAsync(IArtifactStore store, Run run, CancellationToken cancellationToken)
    {
        if (run.Training is null || string.IsNullOrEmpty(run.Training.JobId))
        {
            return [];
        }

        var bytes = await store.ReadAsync(ArtifactPaths.TrainingHistory(run.Training.JobId), cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return [];
        }

        var parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
        return System.Text.Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(parser.Parse<TrainProgress>).ToArray();
    }
}

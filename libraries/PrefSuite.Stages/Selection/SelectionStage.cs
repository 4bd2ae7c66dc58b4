using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Stages.Mapping;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Selection;

/// <summary>
/// The selection stage. Direct calls select pairs for the prompts given. In a run, each scored prompt is stored when
/// it arrives (idempotent: a redelivered unit overwrites itself), and the dataset-level step reads them all, builds
/// the pairs, and writes the pair dataset and every sampled response with its scores.
/// </summary>
public sealed class SelectionStage(IArtifactStore store)
{
    public const int MaxPromptsPerCall = 10_000;

    public static SelectPairsResponse SelectPairs(SelectPairsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Prompts.Count > MaxPromptsPerCall)
        {
            throw new InvalidRequestException("prompts", $"has {request.Prompts.Count} prompts; at most {MaxPromptsPerCall} per call");
        }

        var outcome = Select(request.Prompts.Select((u, i) => SelectionMapping.ToScoredPrompt(u, $"prompts[{i}]")).ToArray(), request.Strategy, request.Dataset);
        var response = new SelectPairsResponse { Summary = SelectionMapping.ToProto(outcome.Summary) };
        response.Pairs.Add(outcome.Rows.Select(SelectionMapping.ToProto));
        return response;
    }

    /// <summary>Stores one scored prompt of a run for the dataset-level step.</summary>
    public async Task StoreUnitAsync(PromptUnit unit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unit);
        SelectionMapping.ToScoredPrompt(unit); // validate now: a unit that cannot be selected fails here, not at the end
        await store.WriteAsync(ArtifactPaths.SelectedUnit(unit.RunId, unit.Prompt.PromptId), unit.ToByteArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The dataset-level step of a run: the stored units stream through the same selector as <c>prefsuite select</c>
    /// (numbers in memory, texts spilled), and every unit is written to the samples artifact on the way.
    /// </summary>
    public async Task<(Contracts.V1.SelectionSummary Summary, string PairsArtifact, string SamplesArtifact)> SelectDatasetAsync(DatasetSelectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = new SelectOptions { Strategy = SelectionMapping.ToOptions(request.Strategy), Dataset = SelectionMapping.ToOptions(request.Dataset) };
        var pairsPath = request.Candidates ? ArtifactPaths.Candidates(request.RunId) : ArtifactPaths.Pairs(request.RunId);
        var samplesPath = ArtifactPaths.Samples(request.RunId);
        Data.Selection.SelectionSummary? summary = null;
        try
        {
            await store.WriteAsync(samplesPath, (samples, ct) => store.WriteAsync(pairsPath, async (pairs, ct2) =>
                summary = await StreamingPairSelector.SelectAsync(StoredUnitsAsync(request, ct2), options, pairs, samples, cancellationToken: ct2).ConfigureAwait(false), ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Data.DataFormatException error)
        {
            throw new InvalidRequestException(error.Field ?? "prompts", error.Problem);
        }
        catch (ArgumentException error)
        {
            throw new InvalidRequestException("dataset", error.Message);
        }

        return (SelectionMapping.ToProto(summary!), pairsPath, samplesPath);
    }

    private async IAsyncEnumerable<ScoredPrompt> StoredUnitsAsync(DatasetSelectRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var promptId in RunDefinition.DatasetPromptIdsAsync(store, request, cancellationToken).ConfigureAwait(false))
        {
            if (await store.ReadAsync(ArtifactPaths.SelectedUnit(request.RunId, promptId), cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                yield return SelectionMapping.ToScoredPrompt(PromptUnit.Parser.ParseFrom(bytes));
            }
        }
    }

    private static PairSelectionOutcome Select(IReadOnlyList<ScoredPrompt> prompts, StrategyOptions? strategy, DatasetOptions? dataset)
    {
        var options = new SelectOptions { Strategy = SelectionMapping.ToOptions(strategy), Dataset = SelectionMapping.ToOptions(dataset) };
        try
        {
            return DatasetPairSelector.Select(prompts, options);
        }
        catch (Data.DataFormatException error)
        {
            throw new InvalidRequestException(error.Field ?? "prompts", error.Problem);
        }
        catch (ArgumentException error)
        {
            throw new InvalidRequestException("dataset", error.Message);
        }
    }
}

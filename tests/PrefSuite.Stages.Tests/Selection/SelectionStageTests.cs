using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Stages.Selection;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Tests.Selection;

public class SelectionStageTests
{
    [Fact]
    public async Task StoredUnitsBecomeAPairDatasetAndASampleExport()
    {
        using var temp = new TempStore();
        var stage = new SelectionStage(temp.Store);
        await stage.StoreUnitAsync(Units.Scored("r", "a", 0.9, 0.1, 0.5));
        await stage.StoreUnitAsync(Units.Scored("r", "a", 0.9, 0.1, 0.5)); // redelivered: same file
        await stage.StoreUnitAsync(Units.Scored("r", "b", 0.2, 0.2, 0.2)); // flat: no pair

        var (summary, pairs, samples) = await stage.SelectDatasetAsync(new DatasetSelectRequest { RunId = "r", PromptIds = { "a", "b" } });

        Assert.Equal((2, 1, 1), (summary.Prompts, summary.FlatPrompts, summary.Kept));
        var row = Assert.Single(await PairRowReader.ReadAllAsync(temp.Store.LocalPath(pairs)));
        Assert.Equal(("r0", "r1"), (row.Chosen, row.Rejected));
        var exported = await ScoredPromptReader.ReadAllAsync(temp.Store.LocalPath(samples));
        Assert.Equal([3, 3], exported.Select(p => p.Responses.Count));
    }

    [Fact]
    public async Task UnscoredUnitsAreRefusedWhenTheyArrive()
    {
        using var temp = new TempStore();
        var unit = Units.Scored("r", "a", 0.9, 0.1);
        unit.Responses[1].Reward = null;
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => new SelectionStage(temp.Store).StoreUnitAsync(unit));
        Assert.Contains("responses[1].reward", error.Field, StringComparison.Ordinal);
    }
}

using PrefSuite.Contracts.V1;
using static PrefSuite.Workflow.Tests.Runs;

namespace PrefSuite.Workflow.Tests;

/// <summary>The pipeline reads a run's prompts from the store as it dispatches them instead of holding them.</summary>
public class PromptCursorTests
{
    [Fact]
    public async Task ItReadsForwardStartsAgainForAnEarlierPromptAndNamesTheFileWhenItEnds()
    {
        using var temp = new TempStore();
        await StoredRunSpec.WriteAsync(temp.Store, Spec(6));
        await using var cursor = new PromptCursor(temp.Store, ArtifactPaths.RunPrompts("r"));
        Assert.Equal("p1", (await cursor.AtAsync(1)).PromptId);
        Assert.Equal("sort 4 1 =", (await cursor.AtAsync(4)).Text);
        Assert.Equal("p4", (await cursor.AtAsync(4)).PromptId);
        Assert.Equal("p0", (await cursor.AtAsync(0)).PromptId); // a new dispatch pass
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await cursor.AtAsync(6));
        Assert.Contains(ArtifactPaths.RunPrompts("r"), error.Message, StringComparison.Ordinal);
        Assert.Equal("p5", (await cursor.AtAsync(5)).PromptId); // and it recovers
    }

    [Fact]
    public async Task ResubmittingWithOneOtherPromptTextIsRefusedThoughThePipelineKeepsOnlyIds()
    {
        using var temp = new TempStore();
        await using var coordinator = Coordinator(temp.Store, new RecordingTransport());
        await coordinator.SubmitAsync(Spec(3));
        Assert.Equal(RunState.Running, (await coordinator.SubmitAsync(Spec(3))).State);
        var changed = Spec(3);
        changed.Prompts[2].Text = "sort 9 9 =";
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => coordinator.SubmitAsync(changed));
        Assert.Equal("run_id", error.Field);
    }
}

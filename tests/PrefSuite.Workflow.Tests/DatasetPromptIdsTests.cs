using Google.Protobuf;
using PrefSuite.Contracts.V1;
using static PrefSuite.Workflow.Tests.Runs;

namespace PrefSuite.Workflow.Tests;

/// <summary>
/// The dataset step names its prompts by one bit each over the stored prompts, so the message and its reader stay small
/// at a million prompts; the ids come back streamed from the prompts file, for any round's slice, from either layout.
/// </summary>
public class DatasetPromptIdsTests
{
    [Fact]
    public async Task TheFinishedBitsOfARoundsSliceNameExactlyItsFinishedPrompts()
    {
        using var temp = new TempStore();
        var spec = Spec(23);
        await StoredRunSpec.WriteAsync(temp.Store, spec);
        var rng = new Random(5);
        var finished = Enumerable.Range(0, 11).Select(_ => rng.Next(2) == 1).ToArray();
        var request = RunDefinition.DatasetRequest(spec, new RunRound("r", 2), ArtifactPaths.RunPrompts("r"), 7, finished);

        var expected = finished.Select((done, i) => (done, id: $"p{7 + i}")).Where(x => x.done).Select(x => x.id);
        Assert.Equal(expected, await DatasetIds(temp.Store, request));
        Assert.Empty(request.PromptIds);
    }

    [Fact]
    public async Task ARunStoredWithItsPromptsInTheSettingsFileIsReadTheSame()
    {
        using var temp = new TempStore();
        var spec = Spec(5);
        await temp.Store.WriteAsync(ArtifactPaths.RunSpec("r"), spec.ToByteArray());
        var path = await StoredRunSpec.PromptsArtifactAsync(temp.Store, "r");
        Assert.Equal(ArtifactPaths.RunSpec("r"), path);
        var request = RunDefinition.DatasetRequest(spec, new RunRound("r", 1), path, 0, [true, false, true, true, false]);
        Assert.Equal(["p0", "p2", "p3"], await DatasetIds(temp.Store, request));
    }

    [Fact]
    public void AMillionPromptDatasetStepIsASmallMessage()
    {
        var spec = Spec(1);
        var finished = Enumerable.Range(0, 1_000_000).Select(i => i % 7 != 0).ToArray();
        var request = RunDefinition.DatasetRequest(spec, new RunRound("r", 1), ArtifactPaths.RunPrompts("r"), 0, finished);
        Assert.InRange(request.CalculateSize(), 125_000, 126_000);
    }

    [Fact]
    public async Task BitsTooShortForTheCountAreRefusedNamingTheField()
    {
        using var temp = new TempStore();
        await StoredRunSpec.WriteAsync(temp.Store, Spec(3));
        var request = new DatasetSelectRequest { RunId = "r", PromptsArtifact = ArtifactPaths.RunPrompts("r"), PromptCount = 9, Finished = ByteString.CopyFrom(0xFF) };
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => DatasetIds(temp.Store, request));
        Assert.Equal("finished", error.Field);
    }
}

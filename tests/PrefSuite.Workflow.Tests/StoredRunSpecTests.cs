using Google.Protobuf;
using PrefSuite.Contracts.V1;

namespace PrefSuite.Workflow.Tests;

public sealed class StoredRunSpecTests
{
    private static RunSpec Spec()
    {
        var spec = new RunSpec { RunId = "r", Sampling = new SamplingParams { N = 4, Seed = 9 }, Training = new TrainOptions { Epochs = 2 } };
        for (var i = 0; i < 5; i++)
        {
            spec.Prompts.Add(new Prompt { PromptId = $"p{i}", Text = $"prompt {i}" });
        }

        return spec;
    }

    [Fact]
    public async Task TheSettingsFileCarriesNoPromptsAndTheWholeSpecReadsBackInOrder()
    {
        using var temp = new TempStore();
        await StoredRunSpec.WriteAsync(temp.Store, Spec());

        var settingsBytes = await temp.Store.ReadAsync(ArtifactPaths.RunSpec("r"));
        Assert.Empty(RunSpec.Parser.ParseFrom(settingsBytes).Prompts);
        Assert.Equal(Spec(), await StoredRunSpec.ReadAsync(temp.Store, "r"));
        var settings = await StoredRunSpec.ReadSettingsAsync(temp.Store, "r@2"); // a round reads its run's settings
        Assert.Equal((4, 2, 0), (settings!.Sampling.N, settings.Training.Epochs, settings.Prompts.Count));
        Assert.Null(await StoredRunSpec.ReadAsync(temp.Store, "missing"));
    }

    [Fact]
    public async Task ARunStoredWithItsPromptsInTheSpecReadsTheSame()
    {
        using var temp = new TempStore();
        await temp.Store.WriteAsync(ArtifactPaths.RunSpec("r"), Spec().ToByteArray()); // the layout before prompts.pb

        Assert.Equal(Spec(), await StoredRunSpec.ReadAsync(temp.Store, "r"));
        Assert.Empty((await StoredRunSpec.ReadSettingsAsync(temp.Store, "r"))!.Prompts);
    }
}

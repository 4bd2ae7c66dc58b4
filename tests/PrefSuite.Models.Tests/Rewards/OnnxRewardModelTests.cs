using Microsoft.ML.OnnxRuntime;
using PrefSuite.Models.Rewards;
using PrefSuite.Models.Tests.Onnx;

namespace PrefSuite.Models.Tests.Rewards;

public class OnnxRewardModelTests
{
    /// <summary>E[t] = (t/10, −t/100): head "a" is the mean token id over 10, head "b" minus that over 100.</summary>
    private static float[,] Embedding()
    {
        var e = new float[15, 2];
        for (var t = 0; t < 15; t++)
        {
            e[t, 0] = t / 10f;
            e[t, 1] = -t / 100f;
        }

        return e;
    }

    private static RewardBundleManifest Manifest(int batchSize = 32, string padding = "right") => new()
    {
        Name = "tiny",
        Tokenizer = "sorting-v1",
        Template = "{prompt} {response}",
        Heads = ["a", "b"],
        Weights = new Dictionary<string, double> { ["a"] = 1.0, ["b"] = 10.0 },
        BatchSize = batchSize,
        PaddingSide = padding,
    };

    [Fact]
    public async Task ScoresAreTheMaskedMeanOfTheTokenRows()
    {
        using var folder = new TempFolder();
        TinyRewardModels.WriteMeanPoolBundle(folder.Path, Embedding(), Manifest());
        using var model = OnnxRewardModel.Load(folder.Path);

        var scores = await model.ScoreAsync([new ScoringItem("sort 3 1 =", "1 3"), new ScoringItem("sort 2 =", "")]);

        // BOS sort 3 1 = 1 3 EOS → ids 11 12 3 1 13 1 3 14: mean 58/8 = 7.25. BOS sort 2 = EOS → 11 12 2 13 14: mean 52/5 = 10.4.
        Assert.Equal(0.725, scores[0].Heads["a"], 5);
        Assert.Equal(-0.0725, scores[0].Heads["b"], 5);
        Assert.Equal(0.725 - 0.725, scores[0].Reward, 5); // a + 10·b
        Assert.Equal(1.04, scores[1].Heads["a"], 5);
        Assert.Equal("onnx:tiny", model.Id);
        if (!OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
        {
            Assert.Equal("CPU", model.ExecutionProvider);
        }
    }

    [Fact]
    public async Task ScoresDoNotDependOnBatchSizePaddingSideOrOrder()
    {
        using var folder = new TempFolder();
        var items = Enumerable.Range(0, 40).Select(i => new ScoringItem("sort " + string.Join(' ', Enumerable.Range(0, 1 + (i % 7)).Select(d => (d * i) % 10)) + " =", string.Join(' ', Enumerable.Range(0, i % 9).Select(d => d)))).ToArray();
        var results = new List<double[]>();
        foreach (var (batch, padding) in new[] { (32, "right"), (1, "right"), (7, "left") })
        {
            var bundle = Path.Combine(folder.Path, $"{batch}-{padding}");
            TinyRewardModels.WriteMeanPoolBundle(bundle, Embedding(), Manifest(batch, padding));
            using var model = OnnxRewardModel.Load(bundle);
            results.Add((await model.ScoreAsync(items)).Select(v => v.Reward).ToArray());
            var reversed = (await model.ScoreAsync(items.Reverse().ToArray())).Select(v => v.Reward).Reverse().ToArray();
            results.Add(reversed);
        }

        Assert.All(results.Skip(1), r => Assert.All(r.Zip(results[0]), p => Assert.Equal(p.Second, p.First, 6)));
    }

    [Fact]
    public void ManifestMistakesAreNamed()
    {
        using var folder = new TempFolder();
        TinyRewardModels.WriteMeanPoolBundle(folder.Path, Embedding(), Manifest() with { InputIds = "tokens" });
        var missingInput = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(folder.Path));
        Assert.Contains("no input 'tokens'", missingInput.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(folder.Path, RewardBundleManifest.FileName), """{"format":"prefsuite-reward/1","name":"x","tokenizer":"sorting-v1","heds":["a"]}""");
        var unknownField = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(folder.Path));
        Assert.Contains("heds", unknownField.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(folder.Path, RewardBundleManifest.FileName), """{"format":"prefsuite-reward/1","name":"x","tokenizer":"sorting-v1","heads":["a"],"weights":{"z":1}}""");
        var unknownHead = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(folder.Path));
        Assert.Contains("'z'", unknownHead.Message, StringComparison.Ordinal);
    }
}

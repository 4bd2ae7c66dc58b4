using PrefSuite.Models.Rewards;
using PrefSuite.Models.Tests.HuggingFace;
using PrefSuite.Models.Tests.Onnx;

namespace PrefSuite.Models.Tests.Rewards;

/// <summary>ONNX reward bundles with a Hugging Face tokenizer.json, a pad id and external weight files.</summary>
public sealed class OnnxBundleTokenizerTests : IDisposable
{
    private readonly TempFolder folder = new();

    /// <summary>E[t] = t: the reward is the mean token id of the sequence.</summary>
    private static float[,] IdTable()
    {
        var e = new float[303, 1];
        for (var t = 0; t < 303; t++)
        {
            e[t, 0] = t;
        }

        return e;
    }

    private static RewardBundleManifest Manifest() => new()
    {
        Name = "bpe",
        Tokenizer = "tokenizer.json",
        Template = "{prompt}{response}",
        AddBos = false,
        AddEos = true,
        EosToken = "<|im_end|>",
        PadId = 300,
        Heads = ["reward"],
    };

    [Fact]
    public async Task ATokenizerJsonBundleWithExternalWeightsScoresByHandDerivedIds()
    {
        TinyRewardModels.WriteMeanPoolBundleWithExternalWeights(folder.Path, IdTable(), Manifest());
        TinyCheckpoints.WriteTokenizer(folder.Path);
        using var model = OnnxRewardModel.Load(folder.Path, preferGpu: false);
        // "hello world" → hello (259), Ġw (260), or (261), l (108), d (100); then EOS <|im_end|> (302).
        var scores = await model.ScoreAsync([new ScoringItem("hello", " world"), new ScoringItem("he", "ll")]);
        Assert.Equal((259 + 260 + 261 + 108 + 100 + 302) / 6.0, scores[0].Reward, 4);
        // "hell" → (h,e) he → (l,l) ll → (he,ll) hell: 258; then EOS. Padded with 300 in the batch, masked out.
        Assert.Equal((258 + 302) / 2.0, scores[1].Reward, 4);
    }

    [Fact]
    public async Task AChatTemplateBundleScoresTheRenderedConversation()
    {
        TinyRewardModels.WriteMeanPoolBundleWithExternalWeights(folder.Path, IdTable(), Manifest() with { ChatTemplate = TinyCheckpoints.ChatMlTemplate });
        TinyCheckpoints.WriteTokenizer(folder.Path);
        using var model = OnnxRewardModel.Load(folder.Path, preferGpu: false);
        var conversation = PrefSuite.Science.Augmentation.PromptText.FromMessages([new("user", "hi")]);
        var scores = await model.ScoreAsync([new ScoringItem("user: hi", "ok") { Conversation = conversation }]);
        // <|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nok<|im_end|>\n, then add_eos's <|im_end|>; merges: "er" 265, "an" 267.
        int[] ids = [301, 'u', 's', 265, '\n', 'h', 'i', 302, '\n', 301, 'a', 's', 's', 'i', 's', 't', 267, 't', '\n', 'o', 'k', 302, '\n', 302];
        Assert.Equal(ids.Average(), scores[0].Reward, 4);
    }

    [Fact]
    public void TheVersionChangesWhenTheExternalWeightsChange()
    {
        TinyRewardModels.WriteMeanPoolBundleWithExternalWeights(folder.Path, IdTable(), Manifest());
        TinyCheckpoints.WriteTokenizer(folder.Path);
        string before;
        using (var model = OnnxRewardModel.Load(folder.Path, preferGpu: false))
        {
            before = model.Version;
        }

        var weights = File.ReadAllBytes(Path.Combine(folder.Path, "weights.bin"));
        weights[^1] ^= 0x01;
        File.WriteAllBytes(Path.Combine(folder.Path, "weights.bin"), weights);
        using var changed = OnnxRewardModel.Load(folder.Path, preferGpu: false);
        Assert.NotEqual(before, changed.Version);
    }

    [Fact]
    public void AnEosTokenThatIsNotOneTokenIsNamed()
    {
        TinyRewardModels.WriteMeanPoolBundleWithExternalWeights(folder.Path, IdTable(), Manifest() with { EosToken = "</s>" });
        TinyCheckpoints.WriteTokenizer(folder.Path);
        var error = Assert.Throws<InvalidDataException>(() => OnnxRewardModel.Load(folder.Path, preferGpu: false));
        Assert.Contains("eos_token '</s>' is not one token of tokenizer.json", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => folder.Dispose();
}

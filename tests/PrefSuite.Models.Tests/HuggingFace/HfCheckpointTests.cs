using System.Text.Json;
using System.Text.Json.Nodes;
using PrefSuite.Models.HuggingFace;
using PrefSuite.Models.Policy;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.HuggingFace;

public sealed class HfCheckpointTests : IDisposable
{
    private readonly TempFolder folder = new();

    [Theory]
    [InlineData("qwen2-tiny", 0)]
    [InlineData("llama3-tiny", 0)]
    [InlineData("mistral-tiny", 6_000)]
    public void SavedCheckpointsReloadToTheSameLogits(string model, long maxShardBytes)
    {
        using var policy = PolicyModel.Load(TinyCheckpoints.Write(model, folder.Path), CPU, new PolicyLoadOptions { SaveDType = TensorDType.F32, MaxShardBytes = maxShardBytes > 0 ? maxShardBytes : DecoderWeights.DefaultMaxShardBytes });
        var hash = policy.Save(folder.Sub("saved"), "test");
        using var reloaded = PolicyModel.Load(folder.Sub("saved"), CPU);
        Assert.Equal(hash, reloaded.ContentHash);
        Assert.Equal(maxShardBytes > 0, File.Exists(Path.Combine(folder.Sub("saved"), HfCheckpoint.IndexFile)));
        if (maxShardBytes > 0)
        {
            Assert.True(HfCheckpoint.Open(folder.Sub("saved")).WeightFiles.Count >= 2);
        }

        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json", "generation_config.json", HfPolicyManifest.FileName })
        {
            Assert.True(File.Exists(Path.Combine(folder.Sub("saved"), file)), file);
        }

        Assert.Equal("float32", JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Sub("saved"), "config.json")))!["torch_dtype"]!.GetValue<string>());
        using var input = tensor(new long[] { 5, 17, 99, 250, 3, 41, 8 }, [1, 7]);
        using var noGrad = no_grad();
        Assert.True(policy.Network.Forward(input).allclose(reloaded.Network.Forward(input), 0, 1e-6));
    }

    [Fact]
    public void SavingKeepsTheCheckpointsOwnDTypeByDefault()
    {
        using var policy = PolicyModel.Load(TinyCheckpoints.Write("llama3-tiny", folder.Path), CPU);
        policy.Save(folder.Sub("saved"), "test");
        using var file = SafetensorsFile.Open(Path.Combine(folder.Sub("saved"), "model.safetensors"));
        Assert.All(file.Tensors, t => Assert.Equal(TensorDType.BF16, t.DType));
        // Weights that came from BF16 survive the float32 round trip exactly.
        using var reloaded = PolicyModel.Load(folder.Sub("saved"), CPU);
        using var input = tensor(new long[] { 5, 17, 99 }, [1, 3]);
        using var noGrad = no_grad();
        Assert.True(policy.Network.Forward(input).allclose(reloaded.Network.Forward(input), 0, 1e-6));
    }

    [Fact]
    public void LoraMergesIntoTheSavedWeightsAndItsAdapterHasPeftKeyNames()
    {
        var lora = new LoraSettings { Rank = 4, Alpha = 8, Dropout = 0, TargetModules = ["q_proj", "v_proj", "down_proj"] };
        using var policy = PolicyModel.Load(TinyCheckpoints.Write("qwen2-tiny", folder.Path), CPU, new PolicyLoadOptions { Lora = lora });
        Assert.All(policy.Network.named_parameters().Where(p => p.parameter.requires_grad), p => Assert.Contains(".lora_", p.name, StringComparison.Ordinal));
        var adapters = policy.Network.named_parameters().Where(p => p.name.Contains(".lora_B.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2 * 3, adapters.Length);
        using (no_grad())
        {
            foreach (var (_, b) in adapters)
            {
                b.copy_(randn_like(b) * 0.05);
            }
        }

        policy.Save(folder.Sub("trained"), "dpo");
        using var merged = PolicyModel.Load(folder.Sub("trained"), CPU);
        using var input = tensor(new long[] { 7, 77, 177, 277, 17 }, [1, 5]);
        using (no_grad())
        {
            var withAdapters = policy.Network.Forward(input);
            Assert.True(withAdapters.allclose(merged.Network.Forward(input), 1e-5, 1e-5));
            using var plain = PolicyModel.Load(Path.Combine(folder.Path, "qwen2-tiny"), CPU);
            Assert.False(withAdapters.allclose(plain.Network.Forward(input), 1e-4, 1e-4));
        }

        var adapterFolder = Path.Combine(folder.Sub("trained"), "adapter");
        using (var file = SafetensorsFile.Open(Path.Combine(adapterFolder, PeftAdapter.WeightsFile)))
        {
            Assert.Contains(file.Tensors, t => t.Name == "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight" && t.Shape.SequenceEqual(new long[] { 4, 32 }));
            Assert.Contains(file.Tensors, t => t.Name == "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight" && t.Shape.SequenceEqual(new long[] { 32, 4 }));
            Assert.Equal(12, file.Tensors.Count);
        }

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(adapterFolder, PeftAdapter.ConfigFile)));
        Assert.Equal("LORA", config.RootElement.GetProperty("peft_type").GetString());
        Assert.Equal(4, config.RootElement.GetProperty("r").GetInt32());
        Assert.Equal(8, config.RootElement.GetProperty("lora_alpha").GetDouble());
        Assert.Equal("CAUSAL_LM", config.RootElement.GetProperty("task_type").GetString());

        // The adapter alone, on a fresh base, gives the same outputs.
        using var fresh = PolicyModel.Load(Path.Combine(folder.Path, "qwen2-tiny"), CPU, new PolicyLoadOptions { Lora = lora });
        PeftAdapter.Load((DecoderModel)fresh.Network, adapterFolder);
        using (no_grad())
        {
            Assert.True(policy.Network.Forward(input).allclose(fresh.Network.Forward(input), 1e-6, 1e-6));
        }
    }

    [Fact]
    public void AnUnknownArchitectureIsNamedWithTheFileAndField()
    {
        var model = TinyCheckpoints.Write("qwen2-tiny", folder.Path);
        EditConfig(model, c => c["architectures"] = new JsonArray("GPTNeoXForCausalLM"));
        var error = Assert.Throws<CheckpointException>(() => PolicyModel.Load(model, CPU));
        Assert.Contains("config.json: architectures: 'GPTNeoXForCausalLM' is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingConfigFieldIsNamed()
    {
        var model = TinyCheckpoints.Write("qwen2-tiny", folder.Path);
        EditConfig(model, c => c.Remove("hidden_size"));
        var error = Assert.Throws<CheckpointException>(() => PolicyModel.Load(model, CPU));
        Assert.Contains("config.json: hidden_size: missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AShapeMismatchNamesTheFileTheTensorAndBothShapes()
    {
        var model = TinyCheckpoints.Write("qwen2-tiny", folder.Path);
        EditConfig(model, c => c["intermediate_size"] = 48);
        var error = Assert.Throws<CheckpointException>(() => PolicyModel.Load(model, CPU));
        Assert.Contains("model.safetensors: model.layers.0.mlp.down_proj.weight: has shape [32, 64] but config.json implies [32, 48]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnsupportedDTypeIsNamed()
    {
        var model = Path.Combine(folder.Path, "int8");
        Directory.CreateDirectory(model);
        var path = Path.Combine(model, "model.safetensors");
        var header = """{"w":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}}""";
        using (var stream = File.Create(path))
        {
            stream.Write(BitConverter.GetBytes((long)header.Length));
            stream.Write(System.Text.Encoding.UTF8.GetBytes(header));
            stream.Write(new byte[2]);
        }

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.Contains("model.safetensors: w: dtype I8 is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATokenizerLargerThanTheEmbeddingIsRefused()
    {
        var model = TinyCheckpoints.Write("qwen2-tiny", folder.Path);
        EditConfig(model, c => c["vocab_size"] = 300);
        var error = Assert.Throws<CheckpointException>(() => PolicyModel.Load(model, CPU));
        Assert.Contains("tokenizer.json: vocabulary: has 303 tokens but config.json's vocab_size (the embedding) is 300", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingShardIsNamedByTheIndex()
    {
        var model = TinyCheckpoints.Write("llama3-tiny", folder.Path);
        File.Delete(Path.Combine(model, "model-00002-of-00002.safetensors"));
        var error = Assert.Throws<CheckpointException>(() => PolicyModel.Load(model, CPU));
        Assert.Contains("model.safetensors.index.json: weight_map: names model-00002-of-00002.safetensors, which is not in the folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARewardModelIsNotAcceptedAsAPolicy()
    {
        var model = TinyCheckpoints.Write("qwen2-reward-tiny", folder.Path);
        var error = Assert.Throws<CheckpointException>(() => PolicyModel.Load(model, CPU));
        Assert.Contains("is a reward model", error.Message, StringComparison.Ordinal);
    }

    private static void EditConfig(string model, Action<JsonObject> edit)
    {
        var path = Path.Combine(model, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }

    public void Dispose() => folder.Dispose();
}

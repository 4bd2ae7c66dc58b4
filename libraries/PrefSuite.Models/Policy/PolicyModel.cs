using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using PrefSuite.Models.HuggingFace;
using PrefSuite.Science.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>
/// A policy: a causal LM with its token convention and device. Two kinds share it: the built-in GPT (checkpoint folders
/// of model.bin + policy.json) and Hugging Face Llama / Qwen2 / Mistral checkpoints (config.json, safetensors,
/// tokenizer.json, chat template), loaded with <see cref="Load"/> from either kind of folder and saved in its own kind.
/// </summary>
public sealed class PolicyModel : IDisposable
{
    public const string WeightsFile = "model.bin";
    public const string ManifestFile = "policy.json";

    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private PolicyModel(CausalLanguageModel network, IPolicyTokens tokens, Device device, PolicyConfig? builtInConfig, PolicyManifest? manifest, HfPolicySource? huggingFace, string? contentHash)
    {
        Network = network;
        Tokens = tokens;
        Device = device;
        BuiltInConfig = builtInConfig;
        Manifest = manifest;
        HuggingFace = huggingFace;
        ContentHash = contentHash;
    }

    public CausalLanguageModel Network { get; }

    /// <summary>How prompts and responses become tokens and back.</summary>
    public IPolicyTokens Tokens { get; }

    public Device Device { get; }

    /// <summary>The longest sequence (prompt + response) the model reads.</summary>
    public int Context => Network.Context;

    /// <summary>The built-in GPT's shape; null for a Hugging Face policy.</summary>
    public PolicyConfig? BuiltInConfig { get; }

    /// <summary>The built-in manifest it was loaded from or last saved as; null for a Hugging Face policy or a fresh model.</summary>
    public PolicyManifest? Manifest { get; private set; }

    /// <summary>The Hugging Face checkpoint it came from; null for the built-in GPT.</summary>
    public HfPolicySource? HuggingFace { get; }

    /// <summary>The content hash of its weights (keys every cache built from it); null for a fresh model never saved.</summary>
    public string? ContentHash { get; private set; }

    /// <summary>A short version label: the first 12 hex digits of the content hash, or "unsaved".</summary>
    public string Version => ContentHash is null ? "unsaved" : ContentHash[..12];

    public long ParameterCount => Network.parameters().Sum(p => p.numel());

    /// <summary>A freshly initialised built-in policy; the seed fixes the initial weights.</summary>
    public static PolicyModel Create(PolicyConfig config, long seed, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var tokenizer = Tokenization.Tokenizers.Create(config.Tokenizer);
        torch.manual_seed(seed);
        device ??= Devices.Default();
        var network = new GptModel(config, tokenizer.VocabularySize);
        network.to(device);
        return new PolicyModel(network, new BuiltInPolicyTokens(tokenizer), device, config, null, null, null);
    }

    /// <summary>Whether a folder holds a policy of either kind.</summary>
    public static bool IsCheckpoint(string folder) => File.Exists(Path.Combine(folder, ManifestFile)) || HfCheckpoint.IsCheckpoint(folder);

    /// <summary>Loads a built-in checkpoint (verifying its content hash) or a Hugging Face checkpoint folder.</summary>
    public static PolicyModel Load(string folder, Device? device = null, PolicyLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!File.Exists(Path.Combine(folder, ManifestFile)) && HfCheckpoint.IsCheckpoint(folder))
        {
            return LoadHuggingFace(folder, device ?? Devices.Default(), options ?? new PolicyLoadOptions());
        }

        var manifestPath = Path.Combine(folder, ManifestFile);
        var weightsPath = Path.Combine(folder, WeightsFile);
        if (!File.Exists(manifestPath) || !File.Exists(weightsPath))
        {
            throw new FileNotFoundException($"'{folder}' is not a policy checkpoint: it needs {ManifestFile} and {WeightsFile} (built-in), or config.json with safetensors weights (Hugging Face).");
        }

        var manifest = JsonSerializer.Deserialize<PolicyManifest>(File.ReadAllText(manifestPath), ManifestJson)
            ?? throw new InvalidDataException($"{manifestPath} is empty.");
        if (manifest.Format != PolicyManifest.CurrentFormat)
        {
            throw new InvalidDataException($"{manifestPath} has format '{manifest.Format}'; this version reads '{PolicyManifest.CurrentFormat}'.");
        }

        var hash = HashFile(weightsPath);
        if (!string.Equals(hash, manifest.WeightsSha256, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{weightsPath} does not match its manifest (SHA-256 {hash[..12]}…, expected {manifest.WeightsSha256[..12]}…): the checkpoint is damaged.");
        }

        device ??= Devices.Default();
        var tokenizer = Tokenization.Tokenizers.Create(manifest.Tokenizer);
        var network = new GptModel(manifest.Config, tokenizer.VocabularySize);
        network.load(weightsPath);
        network.to(device);
        return new PolicyModel(network, new BuiltInPolicyTokens(tokenizer), device, manifest.Config, manifest, null, manifest.WeightsSha256);
    }

    private static PolicyModel LoadHuggingFace(string folder, Device device, PolicyLoadOptions options)
    {
        var checkpoint = HfCheckpoint.Open(folder);
        if (checkpoint.Config.Head != DecoderHead.CausalLm)
        {
            throw new CheckpointException(checkpoint.ConfigPath, "architectures", $"{checkpoint.Config.Architecture} is a reward model (a classification head), not a policy; use it as --reward-model");
        }

        var tokenizer = HfTokenizer.Load(Path.Combine(checkpoint.Folder, HfCheckpoint.TokenizerFile));
        try
        {
            if (tokenizer.VocabularySize > checkpoint.Config.VocabSize)
            {
                throw new CheckpointException(Path.Combine(checkpoint.Folder, HfCheckpoint.TokenizerFile), "vocabulary", $"has {tokenizer.VocabularySize} tokens but config.json's vocab_size (the embedding) is {checkpoint.Config.VocabSize}");
            }

            var tokens = ChatPolicyTokens.Create(checkpoint, tokenizer);
            var dtype = options.ComputeDType ?? (device.type == DeviceType.CUDA && checkpoint.Config.StoredDType is TensorDType.BF16 or TensorDType.F16 ? TensorDType.BF16 : TensorDType.F32);
            var network = new DecoderModel(checkpoint.Config, TensorDTypes.ScalarType(dtype), device);
            try
            {
                DecoderWeights.Load(network, checkpoint);
                if (options.Lora is not null)
                {
                    PeftAdapter.Attach(network, options.Lora);
                }

                network.eval();
            }
            catch
            {
                network.Dispose();
                throw;
            }

            var hash = HfPolicyManifest.TryRead(checkpoint.Folder)?.WeightsSha256 ?? HfPolicyManifest.Fingerprint(checkpoint);
            var source = new HfPolicySource(checkpoint, tokenizer, options.Lora) { SaveDType = options.SaveDType, MaxShardBytes = options.MaxShardBytes };
            return new PolicyModel(network, tokens, device, null, null, source, hash);
        }
        catch
        {
            tokenizer.Dispose();
            throw;
        }
    }

    /// <summary>Replaces this model's weights with a built-in checkpoint's of the same shape, verifying its content hash.</summary>
    public void LoadWeightsFrom(string folder)
    {
        using var loaded = Load(folder, Device);
        if (BuiltInConfig is null || loaded.BuiltInConfig != BuiltInConfig || loaded.Tokens.Identity != Tokens.Identity)
        {
            throw new InvalidDataException($"The checkpoint in '{folder}' has another shape or tokenizer than this model.");
        }

        using (no_grad())
        {
            Network.load_state_dict(loaded.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone()));
        }

        Manifest = loaded.Manifest;
        ContentHash = loaded.ContentHash;
    }

    /// <summary>
    /// Saves the policy into <paramref name="folder"/> atomically (a temporary folder renamed into place) and returns its
    /// content hash: the built-in kind as model.bin + policy.json; the Hugging Face kind as a Hugging Face folder
    /// (merged safetensors, sharded above <see cref="HfPolicySource.MaxShardBytes"/>, config and tokenizer files,
    /// prefsuite-policy.json) with, for LoRA, the PEFT adapter in adapter/.
    /// </summary>
    public string Save(string folder, string stage, string? parent = null)
    {
        var target = Path.GetFullPath(folder);
        var temporary = target + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(temporary);
        try
        {
            var hash = HuggingFace is null ? SaveBuiltIn(temporary, stage, parent) : SaveHuggingFace(HuggingFace, temporary, stage, parent);
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(temporary, target);
            ContentHash = hash;
            return hash;
        }
        catch
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }

            throw;
        }
    }

    private string SaveBuiltIn(string temporary, string stage, string? parent)
    {
        var weightsPath = Path.Combine(temporary, WeightsFile);
        Network.save(weightsPath);
        var tokenizer = ((BuiltInPolicyTokens)Tokens).Tokenizer;
        var manifest = new PolicyManifest(PolicyManifest.CurrentFormat, BuiltInConfig!, tokenizer.Name, tokenizer.VocabularySize, ParameterCount, HashFile(weightsPath), parent, stage, DateTimeOffset.UtcNow);
        File.WriteAllText(Path.Combine(temporary, ManifestFile), JsonSerializer.Serialize(manifest, ManifestJson));
        Manifest = manifest;
        return manifest.WeightsSha256;
    }

    private string SaveHuggingFace(HfPolicySource source, string temporary, string stage, string? parent)
    {
        var network = (DecoderModel)Network;
        var dtype = source.SaveDType ?? source.Checkpoint.Config.StoredDType ?? TensorDType.F32;
        foreach (var name in HfCheckpoint.CompanionFiles)
        {
            var from = Path.Combine(source.Checkpoint.Folder, name);
            if (File.Exists(from))
            {
                File.Copy(from, Path.Combine(temporary, name));
            }
        }

        var config = JsonNode.Parse(File.ReadAllText(source.Checkpoint.ConfigPath))!.AsObject();
        config["torch_dtype"] = TensorDTypes.ConfigName(dtype);
        File.WriteAllText(Path.Combine(temporary, HfCheckpoint.ConfigFile), config.ToJsonString(ManifestJson));
        var files = DecoderWeights.Save(DecoderWeights.MergedWeights(network), temporary, dtype, source.MaxShardBytes);
        if (source.Lora is not null)
        {
            PeftAdapter.Save(network, source.Lora, Path.Combine(temporary, "adapter"), source.Checkpoint.Folder);
        }

        var hash = HfPolicyManifest.HashFiles(files);
        new HfPolicyManifest(HfPolicyManifest.CurrentFormat, hash, parent, stage, TensorDTypes.ConfigName(dtype), DateTimeOffset.UtcNow).Write(temporary);
        return hash;
    }

    /// <summary>An independent copy with the same weights (e.g. the frozen reference of a DPO run).</summary>
    public PolicyModel Clone()
    {
        if (HuggingFace is not null)
        {
            var network = new DecoderModel(((DecoderModel)Network).Config, ((DecoderModel)Network).DType, Device);
            CopyParameters(Network, network);
            network.eval();
            var tokenizer = HfTokenizer.Load(HuggingFace.Tokenizer.Path);
            return new PolicyModel(network, ChatPolicyTokens.Create(HuggingFace.Checkpoint, tokenizer), Device, null, null, HuggingFace with { Tokenizer = tokenizer, Lora = null }, ContentHash);
        }

        var copy = new GptModel(BuiltInConfig!, Tokens.VocabularySize);
        copy.to(Device);
        CopyParameters(Network, copy);
        return new PolicyModel(copy, Tokens, Device, BuiltInConfig, Manifest, null, ContentHash);
    }

    /// <summary>The parameters training updates (all of them, or only the LoRA adapters).</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> TrainableParameters() => Network.parameters().Where(p => p.requires_grad);

    /// <summary>Writes the trainable parameters (float32 safetensors) for a training checkpoint.</summary>
    public void SaveTrainableState(string path)
    {
        var trainable = Network.named_parameters().Where(p => p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        SafetensorsWriter.Write(path, trainable.Select(p => new SafetensorsTensor(p.Key, TensorDType.F32, p.Value.shape)), (entry, stream) => DecoderWeights.WriteTensor(trainable[entry.Name], TensorDType.F32, stream));
    }

    /// <summary>Restores the trainable parameters written by <see cref="SaveTrainableState"/>.</summary>
    public void LoadTrainableState(string path)
    {
        var trainable = Network.named_parameters().Where(p => p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        using var file = SafetensorsFile.Open(path);
        if (file.Tensors.Count != trainable.Count)
        {
            throw new CheckpointException(path, "tensors", $"holds {file.Tensors.Count} tensors; the model trains {trainable.Count}");
        }

        foreach (var entry in file.Tensors)
        {
            if (!trainable.TryGetValue(entry.Name, out var parameter) || !parameter.shape.SequenceEqual(entry.Shape))
            {
                throw new CheckpointException(path, entry.Name, "is not a trainable parameter of this model with that shape");
            }

            using var value = tensor(file.ReadSingle(entry), entry.Shape);
            using (no_grad())
            {
                parameter.copy_(value);
            }
        }
    }

    /// <summary>The prompt's tokens (see <see cref="IPolicyTokens"/> for the convention).</summary>
    public int[] EncodePrompt(PromptText prompt) => Tokens.EncodePrompt(prompt);

    public int[] EncodePrompt(string prompt) => Tokens.EncodePrompt(PromptText.FromText(prompt));

    /// <summary>The response's tokens after the prompt, ending with a stop token.</summary>
    public int[] EncodeResponse(PromptText prompt, string response) => Tokens.EncodeResponse(prompt, response);

    public int[] EncodeResponse(string response) => Tokens.EncodeResponse(PromptText.FromText(string.Empty), response);

    public void Dispose()
    {
        Network.Dispose();
        HuggingFace?.Tokenizer.Dispose();
    }

    private static void CopyParameters(CausalLanguageModel from, CausalLanguageModel to)
    {
        using (no_grad())
        {
            var source = from.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
            foreach (var (name, parameter) in to.named_parameters())
            {
                parameter.copy_(source[name]);
            }
        }
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>How a Hugging Face policy is loaded: compute dtype, LoRA adapters, and how it is saved later.</summary>
public sealed record PolicyLoadOptions
{
    /// <summary>The weights' dtype in memory; null picks float32 on the CPU and bfloat16 on CUDA for a 16-bit checkpoint.</summary>
    public TensorDType? ComputeDType { get; init; }

    /// <summary>Attach LoRA adapters (base weights frozen); null trains every weight.</summary>
    public LoraSettings? Lora { get; init; }

    /// <summary>The dtype weights are saved in; null keeps the checkpoint's own.</summary>
    public TensorDType? SaveDType { get; init; }

    public long MaxShardBytes { get; init; } = DecoderWeights.DefaultMaxShardBytes;
}

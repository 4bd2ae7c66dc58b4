using System.Security.Cryptography;
using System.Text.Json;
using PrefSuite.Models.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>
/// The built-in policy: a <see cref="GptModel"/> with its tokenizer and device. Owns the module; save and load go
/// through versioned checkpoint folders (model.bin + policy.json with a content hash).
/// </summary>
public sealed class PolicyModel : IDisposable
{
    public const string WeightsFile = "model.bin";
    public const string ManifestFile = "policy.json";

    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private PolicyModel(PolicyConfig config, ITextTokenizer tokenizer, GptModel network, Device device, PolicyManifest? manifest)
    {
        Config = config;
        Tokenizer = tokenizer;
        Network = network;
        Device = device;
        Manifest = manifest;
    }

    public PolicyConfig Config { get; }

    public ITextTokenizer Tokenizer { get; }

    public GptModel Network { get; }

    public Device Device { get; }

    /// <summary>The manifest it was loaded from or last saved as; null for a fresh model never saved.</summary>
    public PolicyManifest? Manifest { get; private set; }

    public long ParameterCount => Network.parameters().Sum(p => p.numel());

    /// <summary>A freshly initialised policy; the seed fixes the initial weights.</summary>
    public static PolicyModel Create(PolicyConfig config, long seed, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var tokenizer = Tokenization.Tokenizers.Create(config.Tokenizer);
        torch.manual_seed(seed);
        device ??= Devices.Default();
        var network = new GptModel(config, tokenizer.VocabularySize);
        network.to(device);
        return new PolicyModel(config, tokenizer, network, device, null);
    }

    /// <summary>Loads a checkpoint folder, verifying its content hash.</summary>
    public static PolicyModel Load(string folder, Device? device = null)
    {
        var manifestPath = Path.Combine(folder, ManifestFile);
        var weightsPath = Path.Combine(folder, WeightsFile);
        if (!File.Exists(manifestPath) || !File.Exists(weightsPath))
        {
            throw new FileNotFoundException($"'{folder}' is not a policy checkpoint: it needs {ManifestFile} and {WeightsFile}.");
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
        return new PolicyModel(manifest.Config, tokenizer, network, device, manifest);
    }

    /// <summary>Replaces this model's weights with a checkpoint's of the same shape, verifying its content hash.</summary>
    public void LoadWeightsFrom(string folder)
    {
        using var loaded = Load(folder, Device);
        if (loaded.Config != Config || loaded.Tokenizer.Name != Tokenizer.Name)
        {
            throw new InvalidDataException($"The checkpoint in '{folder}' has another shape or tokenizer than this model.");
        }

        using (no_grad())
        {
            Network.load_state_dict(loaded.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone()));
        }

        Manifest = loaded.Manifest;
    }

    /// <summary>Saves weights and manifest into <paramref name="folder"/> atomically (a temporary folder renamed into place).</summary>
    public PolicyManifest Save(string folder, string stage, string? parent = null)
    {
        var target = Path.GetFullPath(folder);
        var temporary = target + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(temporary);
        try
        {
            var weightsPath = Path.Combine(temporary, WeightsFile);
            Network.save(weightsPath);
            var manifest = new PolicyManifest(PolicyManifest.CurrentFormat, Config, Tokenizer.Name, Tokenizer.VocabularySize, ParameterCount, HashFile(weightsPath), parent, stage, DateTimeOffset.UtcNow);
            File.WriteAllText(Path.Combine(temporary, ManifestFile), JsonSerializer.Serialize(manifest, ManifestJson));
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(temporary, target);
            Manifest = manifest;
            return manifest;
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

    /// <summary>An independent copy with the same weights (e.g. the frozen reference of a DPO run).</summary>
    public PolicyModel Clone()
    {
        var copy = new GptModel(Config, Tokenizer.VocabularySize);
        copy.to(Device);
        using (no_grad())
        {
            var source = Network.state_dict();
            copy.load_state_dict(source.ToDictionary(p => p.Key, p => p.Value.detach().clone()));
        }

        return new PolicyModel(Config, Tokenizer, copy, Device, Manifest);
    }

    /// <summary>BOS + prompt tokens.</summary>
    public int[] EncodePrompt(string prompt) => [Tokenizer.BosId, .. Tokenizer.Encode(prompt)];

    /// <summary>Response tokens + EOS.</summary>
    public int[] EncodeResponse(string response) => [.. Tokenizer.Encode(response), Tokenizer.EosId];

    public void Dispose() => Network.Dispose();

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

using System.Text.Json;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// A checkpoint folder in the Hugging Face layout: config.json, model.safetensors or a sharded
/// model.safetensors.index.json, tokenizer.json, tokenizer_config.json and generation_config.json.
/// </summary>
public sealed class HfCheckpoint
{
    public const string ConfigFile = "config.json";
    public const string SingleWeightsFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";
    public const string GenerationConfigFile = "generation_config.json";
    public const string TokenizerFile = "tokenizer.json";

    /// <summary>Files copied next to saved weights so the folder loads in transformers as the original did.</summary>
    public static IReadOnlyList<string> CompanionFiles { get; } =
        [TokenizerFile, "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", "chat_template.json", GenerationConfigFile, "vocab.json", "merges.txt", "tokenizer.model"];

    private HfCheckpoint(string folder, DecoderConfig config, IReadOnlyList<string> weightFiles, IReadOnlyList<int> generationEosIds, int? generationPadId)
    {
        Folder = folder;
        Config = config;
        WeightFiles = weightFiles;
        GenerationEosIds = generationEosIds;
        GenerationPadId = generationPadId;
    }

    public string Folder { get; }

    public DecoderConfig Config { get; }

    /// <summary>The safetensors files holding the weights.</summary>
    public IReadOnlyList<string> WeightFiles { get; }

    /// <summary>generation_config.json's eos_token_id (one id or several).</summary>
    public IReadOnlyList<int> GenerationEosIds { get; }

    public int? GenerationPadId { get; }

    public string ConfigPath => Path.Combine(Folder, ConfigFile);

    /// <summary>Whether a folder looks like a Hugging Face checkpoint (it has config.json).</summary>
    public static bool IsCheckpoint(string folder) => File.Exists(Path.Combine(folder, ConfigFile));

    public static HfCheckpoint Open(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new CheckpointException(folder, "folder", "not found");
        }

        var config = DecoderConfigReader.Read(Path.Combine(folder, ConfigFile));
        var weights = WeightFilesOf(folder);
        var generationEos = Array.Empty<int>() as IReadOnlyList<int>;
        int? generationPad = null;
        var generationPath = Path.Combine(folder, GenerationConfigFile);
        if (File.Exists(generationPath))
        {
            using var document = DecoderConfigReader.Parse(generationPath);
            generationEos = DecoderConfigReader.TokenIds(generationPath, document.RootElement, "eos_token_id");
            var pad = DecoderConfigReader.TokenIds(generationPath, document.RootElement, "pad_token_id");
            generationPad = pad.Count > 0 ? pad[0] : null;
        }

        return new HfCheckpoint(Path.GetFullPath(folder), config, weights, generationEos, generationPad);
    }

    private static string[] WeightFilesOf(string folder)
    {
        var index = Path.Combine(folder, IndexFile);
        if (File.Exists(index))
        {
            using var document = DecoderConfigReader.Parse(index);
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(index, "weight_map", "missing: it must map tensor names to shard files");
            }

            var files = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                var file = entry.Value.GetString();
                if (string.IsNullOrEmpty(file) || file.Contains('/', StringComparison.Ordinal) || file.Contains('\\', StringComparison.Ordinal))
                {
                    throw new CheckpointException(index, $"weight_map.{entry.Name}", $"'{file}' is not a file name in this folder");
                }

                files.Add(file);
            }

            var paths = files.Select(f => Path.Combine(folder, f)).ToArray();
            var missing = paths.FirstOrDefault(p => !File.Exists(p));
            return missing is null ? paths : throw new CheckpointException(index, "weight_map", $"names {Path.GetFileName(missing)}, which is not in the folder");
        }

        var single = Path.Combine(folder, SingleWeightsFile);
        if (File.Exists(single))
        {
            return [single];
        }

        if (Directory.EnumerateFiles(folder, "*.bin").Any(f => Path.GetFileName(f).StartsWith("pytorch_model", StringComparison.Ordinal)))
        {
            throw new CheckpointException(folder, SingleWeightsFile, "missing: only PyTorch pickle weights (pytorch_model*.bin) are here; PrefSuite reads safetensors (convert with transformers' save_pretrained(safe_serialization=True))");
        }

        throw new CheckpointException(folder, SingleWeightsFile, $"missing: the folder has neither {SingleWeightsFile} nor {IndexFile}");
    }
}

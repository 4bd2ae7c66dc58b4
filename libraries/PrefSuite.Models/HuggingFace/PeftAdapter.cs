using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PrefSuite.Models.HuggingFace;

/// <summary>LoRA settings: rank, alpha, dropout and the projections that get adapters (PEFT's LoraConfig).</summary>
public sealed record LoraSettings
{
    public static IReadOnlyList<string> AllLinear { get; } = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    public int Rank { get; init; } = 8;

    public double Alpha { get; init; } = 16;

    public double Dropout { get; init; } = 0.05;

    /// <summary>Module names (q_proj, …) or "all-linear".</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = ["q_proj", "k_proj", "v_proj", "o_proj"];

    public bool UseRsLora { get; init; }

    /// <summary>Seeds each adapter's initial A (with its module path), so the same settings start from the same adapters.</summary>
    public ulong Seed { get; init; }

    public IReadOnlyList<string> ResolvedTargets()
    {
        var targets = TargetModules.Contains("all-linear") ? AllLinear : TargetModules;
        var unknown = targets.FirstOrDefault(t => !AllLinear.Contains(t));
        return unknown is null ? targets : throw new ArgumentException($"LoRA target module '{unknown}' is not a projection of the decoder (use {string.Join(", ", AllLinear)} or all-linear).");
    }
}

/// <summary>
/// LoRA adapters on a <see cref="DecoderModel"/>, and their PEFT form: adapter_config.json and
/// adapter_model.safetensors with PEFT's key names (base_model.model.&lt;module&gt;.lora_A.weight / lora_B.weight),
/// which PEFT, transformers and vLLM load.
/// </summary>
public static class PeftAdapter
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    /// <summary>Adds adapters to the target projections and freezes every base parameter.</summary>
    public static void Attach(DecoderModel model, LoraSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        var targets = settings.ResolvedTargets();
        foreach (var parameter in model.parameters())
        {
            parameter.requires_grad = false;
        }

        foreach (var (path, name, layer) in model.LayerProjections())
        {
            if (targets.Contains(name))
            {
                var seed = (long)(Science.Randomness.SplitMix64.ForKey(settings.Seed, Science.Randomness.StableHash.Fnv1a64(path)).NextUInt64() >> 1);
                layer.AttachLora(settings.Rank, settings.Alpha, settings.Dropout, settings.UseRsLora, seed);
            }
        }
    }

    /// <summary>PEFT's state-dict key of an adapter parameter.</summary>
    public static string PeftKey(string parameterName) => "base_model.model." + parameterName;

    /// <summary>Writes adapter_config.json and adapter_model.safetensors (float32) into <paramref name="folder"/>.</summary>
    public static void Save(DecoderModel model, LoraSettings settings, string folder, string baseModel)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        var adapters = model.named_parameters().Where(p => DecoderWeights.IsAdapter(p.name)).ToDictionary(p => PeftKey(p.name), p => p.parameter, StringComparer.Ordinal);
        if (adapters.Count == 0)
        {
            throw new InvalidOperationException("The model has no LoRA adapters to save.");
        }

        Directory.CreateDirectory(folder);
        SafetensorsWriter.Write(
            Path.Combine(folder, WeightsFile),
            adapters.Select(a => new SafetensorsTensor(a.Key, TensorDType.F32, a.Value.shape)),
            (entry, stream) => DecoderWeights.WriteTensor(adapters[entry.Name], TensorDType.F32, stream));
        var config = new JsonObject
        {
            ["base_model_name_or_path"] = baseModel,
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["inference_mode"] = true,
            ["init_lora_weights"] = true,
            ["layers_pattern"] = null,
            ["layers_to_transform"] = null,
            ["lora_alpha"] = settings.Alpha,
            ["lora_dropout"] = settings.Dropout,
            ["modules_to_save"] = null,
            ["peft_type"] = "LORA",
            ["r"] = settings.Rank,
            ["rank_pattern"] = new JsonObject(),
            ["alpha_pattern"] = new JsonObject(),
            ["revision"] = null,
            ["target_modules"] = new JsonArray(settings.ResolvedTargets().Select(t => JsonValue.Create(t)).ToArray<JsonNode?>()),
            ["task_type"] = model.Config.Head == DecoderHead.CausalLm ? "CAUSAL_LM" : "SEQ_CLS",
            ["use_dora"] = false,
            ["use_rslora"] = settings.UseRsLora,
        };
        File.WriteAllText(Path.Combine(folder, ConfigFile), config.ToJsonString(IndentedJson));
    }

    /// <summary>Reads a PEFT adapter's weights into the model's adapters (attached with the same settings).</summary>
    public static void Load(DecoderModel model, string folder)
    {
        ArgumentNullException.ThrowIfNull(model);
        var adapters = model.named_parameters().Where(p => DecoderWeights.IsAdapter(p.name)).ToDictionary(p => PeftKey(p.name), p => p.parameter, StringComparer.Ordinal);
        var path = Path.Combine(folder, WeightsFile);
        using var file = SafetensorsFile.Open(path);
        var seen = 0;
        foreach (var entry in file.Tensors)
        {
            if (!adapters.TryGetValue(entry.Name, out var parameter))
            {
                throw new CheckpointException(path, entry.Name, "is not an adapter of this model (check r and target_modules)");
            }

            if (!parameter.shape.SequenceEqual(entry.Shape))
            {
                throw new CheckpointException(path, entry.Name, $"has shape {entry.ShapeText}, the adapter [{string.Join(", ", parameter.shape)}]");
            }

            using var source = tensor(file.ReadSingle(entry), entry.Shape);
            using (no_grad())
            {
                parameter.copy_(source);
            }

            seen++;
        }

        if (seen != adapters.Count)
        {
            throw new CheckpointException(path, "tensors", $"holds {seen} of the model's {adapters.Count} adapter tensors");
        }
    }
}

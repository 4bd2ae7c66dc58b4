using System.Globalization;
using System.Text.Json;

namespace PrefSuite.Models.HuggingFace;

/// <summary>Reads a Hugging Face config.json into a <see cref="DecoderConfig"/>; every problem names the file and the field.</summary>
public static class DecoderConfigReader
{
    private static readonly Dictionary<string, (DecoderFamily Family, DecoderHead Head)> Architectures = new(StringComparer.Ordinal)
    {
        ["LlamaForCausalLM"] = (DecoderFamily.Llama, DecoderHead.CausalLm),
        ["Qwen2ForCausalLM"] = (DecoderFamily.Qwen2, DecoderHead.CausalLm),
        ["Qwen3ForCausalLM"] = (DecoderFamily.Qwen3, DecoderHead.CausalLm),
        ["MistralForCausalLM"] = (DecoderFamily.Mistral, DecoderHead.CausalLm),
        ["LlamaForSequenceClassification"] = (DecoderFamily.Llama, DecoderHead.SequenceClassification),
        ["Qwen2ForSequenceClassification"] = (DecoderFamily.Qwen2, DecoderHead.SequenceClassification),
        ["Qwen3ForSequenceClassification"] = (DecoderFamily.Qwen3, DecoderHead.SequenceClassification),
        ["MistralForSequenceClassification"] = (DecoderFamily.Mistral, DecoderHead.SequenceClassification),
    };

    public static IReadOnlyCollection<string> SupportedArchitectures => Architectures.Keys;

    public static DecoderConfig Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CheckpointException(path, "file", "not found (a Hugging Face checkpoint folder needs config.json)");
        }

        using var document = Parse(path);
        return FromJson(path, document.RootElement);
    }

    public static DecoderConfig FromJson(string path, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(path, "(root)", "must be a JSON object");
        }

        var architecture = Architecture(path, root);
        var (family, head) = Architectures[architecture];
        var activation = OptionalString(path, root, "hidden_act") ?? "silu";
        if (activation != "silu")
        {
            throw new CheckpointException(path, "hidden_act", $"'{activation}' is not supported ({architecture} uses silu)");
        }

        var hidden = PositiveInt(path, root, "hidden_size");
        var heads = PositiveInt(path, root, "num_attention_heads");
        var kvHeads = OptionalInt(path, root, "num_key_value_heads") ?? heads;
        var headDim = OptionalInt(path, root, "head_dim") ?? (hidden % heads == 0 ? hidden / heads : throw new CheckpointException(path, "hidden_size", $"{hidden} is not a multiple of num_attention_heads {heads} and head_dim is not given"));
        if (kvHeads <= 0 || heads % kvHeads != 0)
        {
            throw new CheckpointException(path, "num_key_value_heads", $"{kvHeads} must divide num_attention_heads {heads}");
        }

        var layers = PositiveInt(path, root, "num_hidden_layers");
        var maxPositions = OptionalInt(path, root, "max_position_embeddings") ?? 2048;
        var rope = Rope(path, root);
        try
        {
            RotaryFrequencies.Compute(rope, headDim, maxPositions);
        }
        catch (ArgumentException error)
        {
            throw new CheckpointException(path, "rope_scaling", error.Message);
        }

        var attentionBias = OptionalBool(path, root, "attention_bias") ?? false;
        return new DecoderConfig
        {
            Architecture = architecture,
            Family = family,
            Head = head,
            VocabSize = PositiveInt(path, root, "vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = PositiveInt(path, root, "intermediate_size"),
            Layers = layers,
            Heads = heads,
            KeyValueHeads = kvHeads,
            HeadDim = headDim,
            MaxPositions = maxPositions,
            RmsNormEps = OptionalDouble(path, root, "rms_norm_eps") ?? 1e-6,
            Rope = rope,
            TieWordEmbeddings = OptionalBool(path, root, "tie_word_embeddings") ?? false,
            QkvBias = family == DecoderFamily.Qwen2 || (family is DecoderFamily.Llama or DecoderFamily.Qwen3 && attentionBias),
            OutputBias = family is DecoderFamily.Llama or DecoderFamily.Qwen3 && attentionBias,
            QkNorm = family == DecoderFamily.Qwen3,
            MlpBias = family == DecoderFamily.Llama && (OptionalBool(path, root, "mlp_bias") ?? false),
            LayerWindows = Windows(path, root, family, layers),
            Labels = head == DecoderHead.SequenceClassification ? Labels(path, root) : [],
            PadTokenId = OptionalInt(path, root, "pad_token_id"),
            BosTokenId = OptionalInt(path, root, "bos_token_id"),
            EosTokenIds = TokenIds(path, root, "eos_token_id"),
            StoredDType = TensorDTypes.FromConfigName(OptionalString(path, root, "torch_dtype") ?? OptionalString(path, root, "dtype")),
        };
    }

    /// <summary>An int or a list of ints (eos_token_id in config.json and generation_config.json); empty when absent or null.</summary>
    public static IReadOnlyList<int> TokenIds(string path, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var single))
        {
            return [single];
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            var ids = new List<int>();
            foreach (var item in value.EnumerateArray())
            {
                ids.Add(item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var id) ? id : throw new CheckpointException(path, field, "must hold integer token ids"));
            }

            return ids;
        }

        throw new CheckpointException(path, field, "must be a token id or a list of token ids");
    }

    public static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException error)
        {
            throw new CheckpointException(path, $"line {(error.LineNumber ?? 0) + 1}", $"not valid JSON ({error.Message})");
        }
    }

    private static string Architecture(string path, JsonElement root)
    {
        if (!root.TryGetProperty("architectures", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new CheckpointException(path, "architectures", "missing: it must name the model class, e.g. [\"LlamaForCausalLM\"]");
        }

        var name = list[0].GetString() ?? string.Empty;
        return Architectures.ContainsKey(name)
            ? name
            : throw new CheckpointException(path, "architectures", $"'{name}' is not supported; supported: {string.Join(", ", Architectures.Keys)}");
    }

    private static RopeSettings Rope(string path, JsonElement root)
    {
        var theta = OptionalDouble(path, root, "rope_theta") ?? 10000;
        JsonElement scaling = default;
        var field = "rope_scaling";
        if (root.TryGetProperty("rope_parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
        {
            scaling = parameters;
            field = "rope_parameters";
            theta = OptionalDouble(path, parameters, "rope_theta") ?? theta;
        }
        else if (root.TryGetProperty("rope_scaling", out var legacy) && legacy.ValueKind == JsonValueKind.Object)
        {
            scaling = legacy;
        }

        if (scaling.ValueKind != JsonValueKind.Object)
        {
            return new RopeSettings { Theta = theta };
        }

        var type = OptionalString(path, scaling, "rope_type") ?? OptionalString(path, scaling, "type") ?? "default";
        if (!RotaryFrequencies.SupportedTypes.Contains(type))
        {
            throw new CheckpointException(path, $"{field}.rope_type", $"'{type}' is not supported (supported: {string.Join(", ", RotaryFrequencies.SupportedTypes)})");
        }

        return new RopeSettings
        {
            Theta = theta,
            Type = type,
            Factor = OptionalDouble(path, scaling, "factor") ?? 1,
            LowFreqFactor = OptionalDouble(path, scaling, "low_freq_factor") ?? 1,
            HighFreqFactor = OptionalDouble(path, scaling, "high_freq_factor") ?? 4,
            OriginalMaxPositions = OptionalInt(path, scaling, "original_max_position_embeddings"),
            BetaFast = OptionalDouble(path, scaling, "beta_fast"),
            BetaSlow = OptionalDouble(path, scaling, "beta_slow"),
            AttentionFactor = OptionalDouble(path, scaling, "attention_factor"),
            Mscale = OptionalDouble(path, scaling, "mscale"),
            MscaleAllDim = OptionalDouble(path, scaling, "mscale_all_dim"),
            Truncate = OptionalBool(path, scaling, "truncate") ?? true,
        };
    }

    /// <summary>Per-layer sliding windows: Mistral on every layer; Qwen2/Qwen3 only with use_sliding_window, from max_window_layers on (or as layer_types says).</summary>
    private static int?[] Windows(string path, JsonElement root, DecoderFamily family, int layers)
    {
        var window = OptionalInt(path, root, "sliding_window");
        var result = new int?[layers];
        if (window is null || family == DecoderFamily.Llama)
        {
            return result;
        }

        if (family is DecoderFamily.Qwen2 or DecoderFamily.Qwen3 && !(OptionalBool(path, root, "use_sliding_window") ?? false))
        {
            return result;
        }

        if (root.TryGetProperty("layer_types", out var types) && types.ValueKind == JsonValueKind.Array)
        {
            if (types.GetArrayLength() != layers)
            {
                throw new CheckpointException(path, "layer_types", $"has {types.GetArrayLength()} entries for {layers} layers");
            }

            var i = 0;
            foreach (var type in types.EnumerateArray())
            {
                result[i++] = type.GetString() == "sliding_attention" ? window : null;
            }

            return result;
        }

        var firstWindowed = family is DecoderFamily.Qwen2 or DecoderFamily.Qwen3 ? OptionalInt(path, root, "max_window_layers") ?? 0 : 0;
        for (var i = firstWindowed; i < layers; i++)
        {
            result[i] = window;
        }

        return result;
    }

    private static string[] Labels(string path, JsonElement root)
    {
        if (root.TryGetProperty("id2label", out var map) && map.ValueKind == JsonValueKind.Object)
        {
            var labels = new SortedDictionary<int, string>();
            foreach (var entry in map.EnumerateObject())
            {
                if (!int.TryParse(entry.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || id < 0)
                {
                    throw new CheckpointException(path, $"id2label.{entry.Name}", "keys must be label ids 0, 1, …");
                }

                labels[id] = entry.Value.GetString() ?? $"LABEL_{id}";
            }

            var count = OptionalInt(path, root, "num_labels") ?? labels.Count;
            if (labels.Count != count || labels.Keys.Last() != count - 1)
            {
                throw new CheckpointException(path, "id2label", $"must name labels 0..{count - 1}");
            }

            return [.. labels.Values];
        }

        var n = OptionalInt(path, root, "num_labels") ?? 2;
        return n >= 1 ? Enumerable.Range(0, n).Select(i => $"LABEL_{i}").ToArray() : throw new CheckpointException(path, "num_labels", "must be at least 1");
    }

    private static int PositiveInt(string path, JsonElement root, string field)
    {
        var value = OptionalInt(path, root, field) ?? throw new CheckpointException(path, field, "missing");
        return value > 0 ? value : throw new CheckpointException(path, field, $"must be positive, not {value}");
    }

    private static int? OptionalInt(string path, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw new CheckpointException(path, field, $"must be an integer, not {value.GetRawText()}");
    }

    private static double? OptionalDouble(string path, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw new CheckpointException(path, field, $"must be a number, not {value.GetRawText()}");
    }

    private static bool? OptionalBool(string path, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new CheckpointException(path, field, $"must be true or false, not {value.GetRawText()}"),
        };
    }

    private static string? OptionalString(string path, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new CheckpointException(path, field, $"must be a string, not {value.GetRawText()}");
    }
}

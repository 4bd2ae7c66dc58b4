using System.Runtime.InteropServices;
using System.Text.Json;
using static TorchSharp.torch;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// Moves weights between safetensors files and a <see cref="DecoderModel"/>: loading streams tensor by tensor (no
/// second copy of the model in memory), saving writes shards of bounded size and an index, as transformers does.
/// </summary>
public static class DecoderWeights
{
    /// <summary>transformers' default max_shard_size for save_pretrained ("5GB").</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    /// <summary>Fills every base parameter of <paramref name="model"/> from the checkpoint's safetensors files.</summary>
    public static void Load(DecoderModel model, HfCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var parameters = model.named_parameters().Where(p => !IsAdapter(p.name)).ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in checkpoint.WeightFiles)
        {
            using var weights = SafetensorsFile.Open(file);
            foreach (var entry in weights.Tensors)
            {
                if (!parameters.TryGetValue(entry.Name, out var parameter))
                {
                    if (Ignorable(entry.Name, model.Config))
                    {
                        continue;
                    }

                    throw new CheckpointException(file, entry.Name, $"is not a parameter of {model.Config.Architecture} as config.json describes it");
                }

                var expected = parameter.shape;
                if (!expected.SequenceEqual(entry.Shape))
                {
                    throw new CheckpointException(file, entry.Name, $"has shape {entry.ShapeText} but config.json implies [{string.Join(", ", expected)}]");
                }

                if (!loaded.Add(entry.Name))
                {
                    throw new CheckpointException(file, entry.Name, "appears in more than one file");
                }

                var values = weights.ReadSingle(entry);
                using var source = tensor(values, entry.Shape);
                using (no_grad())
                {
                    parameter.copy_(source);
                }
            }
        }

        var missing = parameters.Keys.Where(n => !loaded.Contains(n)).Order(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            var where = checkpoint.WeightFiles.Count == 1 ? checkpoint.WeightFiles[0] : Path.Combine(checkpoint.Folder, HfCheckpoint.IndexFile);
            throw new CheckpointException(where, missing[0], $"missing ({missing.Length} parameter(s) of {model.Config.Architecture} are not in the checkpoint: {string.Join(", ", missing.Take(4))}{(missing.Length > 4 ? ", …" : string.Empty)})");
        }
    }

    /// <summary>The base weights to save, LoRA updates merged into their layers (W + B·A·alpha/r) when each is written.</summary>
    public static IReadOnlyList<WeightToSave> MergedWeights(DecoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var merged = model.LayerProjections().Where(p => p.Layer.HasLora).ToDictionary(p => p.Path + ".weight", p => p.Layer, StringComparer.Ordinal);
        var result = new List<WeightToSave>();
        foreach (var (name, parameter) in model.named_parameters().Where(p => !IsAdapter(p.name)).OrderBy(p => p.name, StringComparer.Ordinal))
        {
            if (merged.TryGetValue(name, out var layer))
            {
                result.Add(new WeightToSave(name, parameter.shape, () =>
                {
                    using var delta = layer.LoraDelta();
                    return (parameter.detach().to_type(ScalarType.Float32) + delta.to(parameter.device)).detach();
                }, Owned: true));
            }
            else
            {
                result.Add(new WeightToSave(name, parameter.shape, () => parameter.detach(), Owned: false));
            }
        }

        return result;
    }

    /// <summary>
    /// Writes the weights as <paramref name="dtype"/> into <paramref name="folder"/>: model.safetensors when they fit in
    /// one shard, otherwise model-0000i-of-0000n.safetensors plus model.safetensors.index.json. Returns the files written.
    /// </summary>
    public static IReadOnlyList<string> Save(IReadOnlyList<WeightToSave> weights, string folder, TensorDType dtype, long maxShardBytes = DefaultMaxShardBytes)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, 1);
        var shards = new List<List<WeightToSave>> { new() };
        long size = 0;
        foreach (var item in weights.OrderBy(w => w.Name, StringComparer.Ordinal))
        {
            var bytes = item.ElementCount * TensorDTypes.Size(dtype);
            if (shards[^1].Count > 0 && size + bytes > maxShardBytes)
            {
                shards.Add([]);
                size = 0;
            }

            shards[^1].Add(item);
            size += bytes;
        }

        Directory.CreateDirectory(folder);
        var files = new List<string>();
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var s = 0; s < shards.Count; s++)
        {
            var name = shards.Count == 1 ? HfCheckpoint.SingleWeightsFile : $"model-{s + 1:D5}-of-{shards.Count:D5}.safetensors";
            var byName = shards[s].ToDictionary(t => t.Name, StringComparer.Ordinal);
            SafetensorsWriter.Write(
                Path.Combine(folder, name),
                shards[s].Select(t => new SafetensorsTensor(t.Name, dtype, t.Shape)),
                (entry, stream) =>
                {
                    var weight = byName[entry.Name];
                    var value = weight.Produce();
                    try
                    {
                        WriteTensor(value, dtype, stream);
                    }
                    finally
                    {
                        if (weight.Owned)
                        {
                            value.Dispose();
                        }
                    }
                });
            files.Add(Path.Combine(folder, name));
            foreach (var weight in shards[s])
            {
                weightMap[weight.Name] = name;
            }
        }

        if (shards.Count > 1)
        {
            var total = weights.Sum(t => t.ElementCount * TensorDTypes.Size(dtype));
            var index = new { metadata = new { total_size = total }, weight_map = weightMap };
            File.WriteAllText(Path.Combine(folder, HfCheckpoint.IndexFile), JsonSerializer.Serialize(index, IndentedJson));
        }

        return files;
    }

    /// <summary>A tensor's values as <paramref name="dtype"/>, little-endian, written in row-major order.</summary>
    public static void WriteTensor(Tensor value, TensorDType dtype, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var scope = NewDisposeScope();
        var floats = value.detach().to(CPU).to_type(ScalarType.Float32).contiguous();
        var span = MemoryMarshal.Cast<byte, float>(floats.bytes);
        SafetensorsWriter.WriteValues(span, dtype, stream);
    }

    internal static bool IsAdapter(string name) => name.Contains(".lora_A.", StringComparison.Ordinal) || name.Contains(".lora_B.", StringComparison.Ordinal);

    /// <summary>Tensors transformers itself ignores: old rotary buffers, and an LM head stored beside tied embeddings.</summary>
    private static bool Ignorable(string name, DecoderConfig config) =>
        name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)
        || (name == "lm_head.weight" && (config.TieWordEmbeddings || config.Head == DecoderHead.SequenceClassification));
}

/// <summary>One tensor to write: its name and shape, how to produce its value, and whether that value is a temporary to dispose.</summary>
public sealed record WeightToSave(string Name, long[] Shape, Func<Tensor> Produce, bool Owned)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

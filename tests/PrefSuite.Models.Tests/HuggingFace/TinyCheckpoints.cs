using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PrefSuite.Models.HuggingFace;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Models.Tests.HuggingFace;

/// <summary>
/// Writes the tiny checkpoints of Reference/hf_reference.py in the exact Hugging Face layout: config.json and
/// generation_config.json from the fixture, weights from the "prefsuite-tiny-weights/1" generator through PrefSuite's
/// own safetensors writer (so the files' SHA-256 must equal the reference's), and a byte-level BPE tokenizer with a
/// ChatML template whose special tokens sit at the fixture's ids (300 BOS, 301 &lt;|im_start|&gt;, 302 &lt;|im_end|&gt;).
/// </summary>
internal static class TinyCheckpoints
{
    public const string ChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    /// <summary>Merges in rank order: "hello" and " world"-like words become few tokens.</summary>
    public static readonly string[] Merges = ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġ t", "t h", "Ġt h", "e r", "i n", "a n", "Ġ a", "o n", "r e", "e s", "Ġ s", "e n", "Ġ o", "a t"];

    public static string Write(string model, string parent)
    {
        var fixture = ReferenceFixture.Load(model);
        var folder = Path.Combine(parent, model);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), fixture.Root.GetProperty("config").GetRawText());
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), fixture.Root.GetProperty("generation_config").GetRawText());
        WriteTokenizer(folder);
        var dtype = fixture.StoredDType switch
        {
            "F16" => TensorDType.F16,
            "BF16" => TensorDType.BF16,
            _ => TensorDType.F32,
        };
        var tensors = fixture.Tensors;
        var sharded = fixture.WeightSha256.Count > 1;
        var shards = sharded
            ? new[] { ("model-00001-of-00002.safetensors", tensors.Where(t => InFirstShard(t.Name)).ToArray()), ("model-00002-of-00002.safetensors", tensors.Where(t => !InFirstShard(t.Name)).ToArray()) }
            : new[] { ("model.safetensors", tensors.ToArray()) };
        var weightMap = new JsonObject();
        long total = 0;
        foreach (var (file, members) in shards)
        {
            SafetensorsWriter.Write(
                Path.Combine(folder, file),
                members.Select(t => new SafetensorsTensor(t.Name, dtype, t.Shape)),
                (entry, stream) => SafetensorsWriter.WriteValues(Values(fixture.Seed, entry.Name, entry.Shape), dtype, stream));
            foreach (var member in members)
            {
                weightMap[member.Name] = file;
                total += member.Shape.Aggregate(1L, (a, b) => a * b) * TensorDTypes.Size(dtype);
            }
        }

        if (sharded)
        {
            var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = weightMap };
            File.WriteAllText(Path.Combine(folder, HfCheckpoint.IndexFile), index.ToJsonString());
        }

        return folder;
    }

    /// <summary>The generator's float32 values of one tensor (spec: prefsuite-tiny-weights/1).</summary>
    public static float[] Values(ulong modelSeed, string name, long[] shape)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var (center, scale) = name.EndsWith("norm.weight", StringComparison.Ordinal) ? (1.0, 0.1)
            : name.EndsWith(".bias", StringComparison.Ordinal) ? (0.0, 0.1)
            : name == "model.embed_tokens.weight" ? (0.0, 0.5)
            : (0.0, 1.0 / Math.Sqrt(shape[^1]));
        var generator = SplitMix64.ForKey(modelSeed, StableHash.Fnv1a64(name));
        var values = new float[count];
        for (var j = 0; j < count; j++)
        {
            values[j] = (float)(center + (scale * ((2 * generator.NextDouble()) - 1)));
        }

        return values;
    }

    public static void WriteTokenizer(string folder, string? chatTemplate = ChatMlTemplate)
    {
        var byteToChar = ByteLevelAlphabet();
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++)
        {
            vocab[byteToChar[b].ToString()] = b;
        }

        var next = 256;
        foreach (var merge in Merges)
        {
            vocab[merge.Replace(" ", string.Empty, StringComparison.Ordinal)] = next++;
        }

        // Unreachable fillers up to 300, so the added tokens get the ids the fixtures use (the tokenizers library
        // numbers added tokens after the model's vocabulary).
        while (next < 300)
        {
            vocab[$"<unused{next}>"] = next++;
        }

        static JsonObject Added(int id, string content) => new()
        {
            ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
        };

        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(Added(300, "<|endoftext|>"), Added(301, "<|im_start|>"), Added(302, "<|im_end|>")),
            ["normalizer"] = null,
            ["pre_tokenizer"] = byteLevel.DeepClone(),
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(Merges.Select(m => (JsonNode)m).ToArray()),
            },
        };
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString(), new UTF8Encoding(false));
        var config = new JsonObject
        {
            ["bos_token"] = null,
            ["eos_token"] = "<|im_end|>",
            ["pad_token"] = "<|endoftext|>",
            ["chat_template"] = chatTemplate,
        };
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), new UTF8Encoding(false));
    }

    /// <summary>GPT-2's printable stand-ins for the 256 bytes (byte-level BPE's alphabet).</summary>
    public static char[] ByteLevelAlphabet()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var map = new char[256];
        var extra = 0;
        for (var b = 0; b < 256; b++)
        {
            map[b] = printable.Contains(b) ? (char)b : (char)(256 + extra++);
        }

        return map;
    }

    private static bool InFirstShard(string name) => name.StartsWith("model.embed_tokens.", StringComparison.Ordinal) || name.StartsWith("model.layers.0.", StringComparison.Ordinal);
}

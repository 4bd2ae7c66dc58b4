using System.Security.Cryptography;
using System.Text.Json;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// A Hugging Face tokenizer.json run by the Hugging Face tokenizers library itself (Rust, through Tokenizers.DotNet),
/// so byte-level BPE, pre-tokenizers, normalizers and added/special tokens behave exactly as in transformers.
/// <see cref="Encode"/> adds no special tokens of its own (transformers' add_special_tokens=False); special tokens
/// written in the text are matched.
/// </summary>
public sealed class HfTokenizer : IDisposable
{
    private readonly Tokenizers.DotNet.Tokenizer native;
    private readonly Dictionary<string, int> addedTokens;

    private HfTokenizer(string path, Tokenizers.DotNet.Tokenizer native, int vocabularySize, Dictionary<string, int> addedTokens, IReadOnlyList<int> postProcessorPrefix, string identity)
    {
        Path = path;
        this.native = native;
        VocabularySize = vocabularySize;
        this.addedTokens = addedTokens;
        PostProcessorPrefix = postProcessorPrefix;
        Identity = identity;
    }

    public string Path { get; }

    /// <summary>"hf:" + the first 12 hex digits of the file's SHA-256.</summary>
    public string Identity { get; }

    /// <summary>One more than the largest id of the vocabulary and the added tokens.</summary>
    public int VocabularySize { get; }

    /// <summary>Special tokens the file's post-processor puts before a single sequence (e.g. Llama 3's &lt;|begin_of_text|&gt;).</summary>
    public IReadOnlyList<int> PostProcessorPrefix { get; }

    public static HfTokenizer Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CheckpointException(path, "file", "not found (a Hugging Face checkpoint folder needs tokenizer.json)");
        }

        var bytes = File.ReadAllBytes(path);
        var (vocabulary, added, prefix) = Inspect(path, bytes);
        Tokenizers.DotNet.Tokenizer native;
        try
        {
            native = new Tokenizers.DotNet.Tokenizer(path);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw new CheckpointException(path, "file", $"the tokenizers library cannot load it ({error.Message})");
        }

        return new HfTokenizer(path, native, vocabulary, added, prefix, "hf:" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]);
    }

    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return [];
        }

        var ids = native.Encode(text);
        var result = new int[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            result[i] = (int)ids[i];
        }

        return result;
    }

    /// <summary>The text of the ids, special tokens skipped (transformers' skip_special_tokens=True).</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var array = ids.Select(i => (uint)i).ToArray();
        return array.Length == 0 ? string.Empty : native.Decode(array);
    }

    /// <summary>The id of an added (special) token by its content, or null when the text is not one token.</summary>
    public int? TokenId(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var ids = Encode(content);
        return ids.Length == 1 ? ids[0] : addedTokens.TryGetValue(content, out var id) ? id : null;
    }

    public void Dispose() => native.Dispose();

    private static (int Vocabulary, Dictionary<string, int> Added, int[] Prefix) Inspect(string path, byte[] bytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException error)
        {
            throw new CheckpointException(path, $"line {(error.LineNumber ?? 0) + 1}", $"not valid JSON ({error.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            var largest = -1;
            if (root.TryGetProperty("model", out var model) && model.TryGetProperty("vocab", out var vocab))
            {
                if (vocab.ValueKind == JsonValueKind.Object)
                {
                    foreach (var entry in vocab.EnumerateObject())
                    {
                        largest = Math.Max(largest, entry.Value.GetInt32());
                    }
                }
                else if (vocab.ValueKind == JsonValueKind.Array)
                {
                    largest = Math.Max(largest, vocab.GetArrayLength() - 1);
                }
            }

            var added = new Dictionary<string, int>(StringComparer.Ordinal);
            if (root.TryGetProperty("added_tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Array)
            {
                foreach (var token in tokens.EnumerateArray())
                {
                    var id = token.GetProperty("id").GetInt32();
                    added[token.GetProperty("content").GetString()!] = id;
                    largest = Math.Max(largest, id);
                }
            }

            if (largest < 0)
            {
                throw new CheckpointException(path, "model.vocab", "the tokenizer has no vocabulary");
            }

            return (largest + 1, added, SpecialPrefix(root));
        }
    }

    /// <summary>The special-token ids a TemplateProcessing post-processor puts before "$A" in its single template.</summary>
    private static int[] SpecialPrefix(JsonElement root)
    {
        if (!root.TryGetProperty("post_processor", out var processor) || processor.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var candidates = processor.TryGetProperty("processors", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToArray()
            : [processor];
        foreach (var candidate in candidates)
        {
            if (!candidate.TryGetProperty("type", out var type) || type.GetString() != "TemplateProcessing"
                || !candidate.TryGetProperty("single", out var single) || single.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            var prefix = new List<int>();
            foreach (var piece in single.EnumerateArray())
            {
                if (piece.TryGetProperty("Sequence", out _))
                {
                    break;
                }

                if (piece.TryGetProperty("SpecialToken", out var special)
                    && candidate.TryGetProperty("special_tokens", out var specials)
                    && specials.TryGetProperty(special.GetProperty("id").GetString()!, out var entry)
                    && entry.TryGetProperty("ids", out var ids))
                {
                    prefix.AddRange(ids.EnumerateArray().Select(i => i.GetInt32()));
                }
            }

            return [.. prefix];
        }

        return [];
    }
}

using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using System.Text.Json.Nodes;
using PrefSuite.ChatTemplates;
using PrefSuite.Models.HuggingFace;
using PrefSuite.Models.Tokenization;
using PrefSuite.Science.Augmentation;
using PrefSuite.Science.Scoring;

namespace PrefSuite.Models.Rewards;

/// <summary>
/// A reward model bundle run by ONNX Runtime. Items are tokenized, sorted by length and scored in length buckets (padded
/// only to the longest in their batch, with the attention mask), then returned in input order: a response's score does
/// not depend on its batch or padding. CUDA is used when the build carries it and a GPU answers; otherwise CPU, logged.
/// </summary>
public sealed partial class OnnxRewardModel : IRewardScorer, IDisposable
{
    private readonly InferenceSession _session;
    private readonly RewardBundleManifest _manifest;
    private readonly ITextTokenizer _tokenizer;
    private readonly ChatTemplate? _chatTemplate;
    private readonly HeadWeights _weights;

    private OnnxRewardModel(InferenceSession session, RewardBundleManifest manifest, ITextTokenizer tokenizer, ChatTemplate? chatTemplate, string version, string executionProvider)
    {
        _session = session;
        _manifest = manifest;
        _tokenizer = tokenizer;
        _chatTemplate = chatTemplate;
        _weights = manifest.Weights is null ? HeadWeights.EqualMean : HeadWeights.Of(manifest.Weights);
        Version = version;
        ExecutionProvider = executionProvider;
    }

    public string Id => $"onnx:{_manifest.Name}";

    public string Version { get; }

    public IReadOnlyList<string> Heads => _manifest.Heads;

    /// <summary>"CUDA" or "CPU": where the session runs.</summary>
    public string ExecutionProvider { get; }

    /// <summary>
    /// Loads a bundle folder: model.onnx (with any external weight files beside it) + manifest.json, and the tokenizer.json
    /// and chat template the manifest names. The version hashes every file of the bundle, so any change reaches the cache.
    /// </summary>
    /// <param name="preferGpu">Try the CUDA execution provider first; fall back to CPU with a logged warning.</param>
    /// <param name="intraOpThreads">Threads ONNX Runtime may use per call; null lets it decide (one per physical core).</param>
    public static OnnxRewardModel Load(string folder, bool preferGpu = true, ILogger? logger = null, int? intraOpThreads = null)
    {
        logger ??= NullLogger.Instance;
        var manifest = RewardBundleManifest.Load(Path.Combine(folder, RewardBundleManifest.FileName));
        var modelPath = Path.Combine(folder, RewardBundleManifest.ModelFile);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"The reward bundle '{folder}' has no {RewardBundleManifest.ModelFile}.", modelPath);
        }

        var version = BundleHash(folder)[..16];
        var tokenizer = CreateTokenizer(folder, manifest);
        var chatTemplate = manifest.ChatTemplate is { } source ? ParseTemplate(folder, source) : null;
        var (session, provider) = CreateSession(modelPath, preferGpu, logger, intraOpThreads);
        var model = new OnnxRewardModel(session, manifest, tokenizer, chatTemplate, version, provider);
        model.CheckGraph();
        return model;
    }

    public Task<IReadOnlyList<RewardVector>> ScoreAsync(IReadOnlyList<ScoringItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var encoded = items.Select(Encode).ToArray();
        var order = Enumerable.Range(0, items.Count).OrderBy(i => encoded[i].Length).ThenBy(i => i).ToArray();
        var results = new RewardVector[items.Count];
        for (var start = 0; start < order.Length; start += _manifest.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.Skip(start).Take(_manifest.BatchSize).ToArray();
            var heads = Run(batch.Select(i => encoded[i]).ToArray());
            for (var b = 0; b < batch.Length; b++)
            {
                var vector = new Dictionary<string, double>(StringComparer.Ordinal);
                for (var h = 0; h < _manifest.Heads.Count; h++)
                {
                    vector[_manifest.Heads[h]] = heads[b][h];
                }

                results[batch[b]] = new RewardVector(_weights.Combine(vector), vector);
            }
        }

        return Task.FromResult<IReadOnlyList<RewardVector>>(results);
    }

    public void Dispose()
    {
        _session.Dispose();
        (_tokenizer as IDisposable)?.Dispose();
    }

    /// <summary>SHA-256 over every file of the bundle (names and contents, in name order): model, external weights, tokenizer, template, manifest.</summary>
    private static string BundleHash(string folder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(folder, file) + "\0"));
            using var stream = File.OpenRead(file);
            hash.AppendData(SHA256.HashData(stream));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static ITextTokenizer CreateTokenizer(string folder, RewardBundleManifest manifest)
    {
        if (!manifest.UsesTokenizerFile)
        {
            return Tokenization.Tokenizers.Create(manifest.Tokenizer);
        }

        var tokenizer = HfTokenizer.Load(Path.Combine(folder, manifest.Tokenizer));
        int Id(string? token, string field, bool needed)
        {
            if (token is null)
            {
                return needed ? throw new InvalidDataException($"{Path.Combine(folder, RewardBundleManifest.FileName)}: {field} is needed with a tokenizer.json when add_bos/add_eos is on.") : -1;
            }

            return tokenizer.TokenId(token) ?? throw new InvalidDataException($"{Path.Combine(folder, RewardBundleManifest.FileName)}: {field} '{token}' is not one token of {manifest.Tokenizer}.");
        }

        var bos = Id(manifest.BosToken, "bos_token", manifest.AddBos);
        var eos = Id(manifest.EosToken, "eos_token", manifest.AddEos);
        var pad = manifest.PadId ?? (eos >= 0 ? eos : 0);
        return new HfTextTokenizer(tokenizer, pad, bos, eos);
    }

    private static ChatTemplate ParseTemplate(string folder, string source)
    {
        var isFile = source.EndsWith(".jinja", StringComparison.Ordinal) && !source.Contains('{', StringComparison.Ordinal);
        var path = Path.Combine(folder, source);
        if (isFile && !File.Exists(path))
        {
            throw new FileNotFoundException($"The reward bundle's chat_template names {source}, which is not in {folder}.", path);
        }

        return ChatTemplate.Parse(isFile ? File.ReadAllText(path) : source, isFile ? path : $"{Path.Combine(folder, RewardBundleManifest.FileName)} chat_template");
    }

    private string Text(ScoringItem item)
    {
        if (_chatTemplate is null)
        {
            return _manifest.Template.Replace("{prompt}", item.Prompt, StringComparison.Ordinal).Replace("{response}", item.Response, StringComparison.Ordinal);
        }

        var messages = item.Conversation.Messages ?? [new ChatMessage("user", item.Conversation.Text!)];
        var array = new JsonArray(messages.Append(new ChatMessage("assistant", item.Response)).Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray());
        return _chatTemplate.Apply(array, addGenerationPrompt: false, _manifest.BosToken, _manifest.EosToken);
    }

    private int[] Encode(ScoringItem item)
    {
        var text = Text(item);
        var body = _tokenizer.Encode(text);
        var room = _manifest.MaxLength - (_manifest.AddBos ? 1 : 0) - (_manifest.AddEos ? 1 : 0);
        if (body.Length > room)
        {
            body = _manifest.Truncation == "left" ? body[^room..] : body[..room];
        }

        return [.. _manifest.AddBos ? [_tokenizer.BosId] : Array.Empty<int>(), .. body, .. _manifest.AddEos ? [_tokenizer.EosId] : Array.Empty<int>()];
    }

    private double[][] Run(int[][] sequences)
    {
        var rows = sequences.Length;
        var length = sequences.Max(s => s.Length);
        var ids = new long[rows * length];
        var mask = new long[rows * length];
        Array.Fill(ids, _tokenizer.PadId);
        for (var r = 0; r < rows; r++)
        {
            var offset = _manifest.PaddingSide == "left" ? length - sequences[r].Length : 0;
            for (var t = 0; t < sequences[r].Length; t++)
            {
                ids[(r * length) + offset + t] = sequences[r][t];
                mask[(r * length) + offset + t] = 1;
            }
        }

        var shape = new long[] { rows, length };
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        var names = new List<string> { _manifest.InputIds };
        var values = new List<OrtValue> { idsValue };
        if (_manifest.AttentionMask is { } maskName)
        {
            names.Add(maskName);
            values.Add(maskValue);
        }

        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, names, values, [_manifest.Output]);
        var output = outputs[0];
        var outputShape = output.GetTensorTypeAndShape().Shape;
        var heads = outputShape.Length == 1 ? 1 : (int)outputShape[^1];
        if (outputShape[0] != rows || heads != _manifest.Heads.Count)
        {
            throw new InvalidDataException($"The reward model '{_manifest.Name}' returned shape [{string.Join(", ", outputShape)}]; the manifest expects [{rows}, {_manifest.Heads.Count}].");
        }

        var data = output.GetTensorDataAsSpan<float>();
        var result = new double[rows][];
        for (var r = 0; r < rows; r++)
        {
            result[r] = new double[heads];
            for (var h = 0; h < heads; h++)
            {
                result[r][h] = data[(r * heads) + h];
            }
        }

        return result;
    }

    private void CheckGraph()
    {
        var inputs = _session.InputMetadata.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var name in new[] { _manifest.InputIds, _manifest.AttentionMask }.OfType<string>())
        {
            if (!inputs.Contains(name))
            {
                throw new InvalidDataException($"The reward model '{_manifest.Name}' has no input '{name}' (it has {string.Join(", ", inputs)}).");
            }
        }

        if (!_session.OutputMetadata.ContainsKey(_manifest.Output))
        {
            throw new InvalidDataException($"The reward model '{_manifest.Name}' has no output '{_manifest.Output}' (it has {string.Join(", ", _session.OutputMetadata.Keys)}).");
        }
    }

    private static (InferenceSession Session, string Provider) CreateSession(string modelPath, bool preferGpu, ILogger logger, int? intraOpThreads)
    {
        if (preferGpu && OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
        {
            try
            {
                using var gpuOptions = Options(intraOpThreads);
                gpuOptions.AppendExecutionProvider_CUDA();
                return (new InferenceSession(modelPath, gpuOptions), "CUDA");
            }
            catch (Exception error) when (error is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                var reason = error.Message.Split('\n')[0];
                LogCpuFallback(logger, reason);
            }
        }
        else if (preferGpu)
        {
            LogCpuFallback(logger, "this build's ONNX Runtime has no CUDA provider");
        }

        using var options = Options(intraOpThreads);
        return (new InferenceSession(modelPath, options), "CPU");
    }

    private static SessionOptions Options(int? intraOpThreads)
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (intraOpThreads is { } threads)
        {
            options.IntraOpNumThreads = threads;
        }

        return options;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "CUDA is not available for ONNX Runtime here ({Reason}); scoring on CPU")]
    private static partial void LogCpuFallback(ILogger logger, string reason);
}

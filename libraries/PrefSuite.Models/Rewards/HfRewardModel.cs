using PrefSuite.Models.HuggingFace;
using PrefSuite.Models.Policy;
using PrefSuite.Science.Scoring;
using static TorchSharp.torch;

namespace PrefSuite.Models.Rewards;

/// <summary>
/// A Hugging Face *ForSequenceClassification reward model (Llama / Qwen2 / Mistral, e.g. Skywork-Reward) in TorchSharp.
/// A response is read with the reward model's own convention (its chat template for message prompts: the rendered full
/// conversation), and scored by the head at the last token that is not the pad token, as transformers pools it. Several
/// labels give the head vector; head weights turn it into the scalar reward (default: the mean).
/// </summary>
public sealed class HfRewardModel : IRewardScorer, IDisposable
{
    private readonly DecoderModel network;
    private readonly HfTokenizer tokenizer;
    private readonly ChatPolicyTokens tokens;
    private readonly HeadWeights weights;
    private readonly Device device;
    private readonly int batchSize;

    private HfRewardModel(string name, DecoderModel network, HfTokenizer tokenizer, ChatPolicyTokens tokens, HeadWeights weights, Device device, string version, int batchSize)
    {
        Id = $"hf:{name}";
        this.network = network;
        this.tokenizer = tokenizer;
        this.tokens = tokens;
        this.weights = weights;
        this.device = device;
        Version = version;
        this.batchSize = batchSize;
    }

    public string Id { get; }

    public string Version { get; }

    public IReadOnlyList<string> Heads => network.Config.Labels;

    /// <summary>The longest sequence scored; longer ones are cut from the left (the response end is kept).</summary>
    public int MaxLength => network.Config.MaxPositions;

    public static HfRewardModel Load(string folder, HeadWeights? weights = null, Device? device = null, int batchSize = 8)
    {
        var checkpoint = HfCheckpoint.Open(folder);
        if (checkpoint.Config.Head != DecoderHead.SequenceClassification)
        {
            throw new CheckpointException(checkpoint.ConfigPath, "architectures", $"{checkpoint.Config.Architecture} is a language model, not a reward model (a *ForSequenceClassification checkpoint)");
        }

        var tokenizer = HfTokenizer.Load(Path.Combine(checkpoint.Folder, HfCheckpoint.TokenizerFile));
        try
        {
            if (tokenizer.VocabularySize > checkpoint.Config.VocabSize)
            {
                throw new CheckpointException(Path.Combine(checkpoint.Folder, HfCheckpoint.TokenizerFile), "vocabulary", $"has {tokenizer.VocabularySize} tokens but config.json's vocab_size is {checkpoint.Config.VocabSize}");
            }

            if (weights?.Weights is { } named && named.Keys.FirstOrDefault(k => !checkpoint.Config.Labels.Contains(k)) is { } unknown)
            {
                throw new ArgumentException($"Head weight '{unknown}' names no label of the reward model (labels: {string.Join(", ", checkpoint.Config.Labels)}).");
            }

            device ??= Devices.Default();
            var dtype = device.type == TorchSharp.DeviceType.CUDA && checkpoint.Config.StoredDType is TensorDType.BF16 or TensorDType.F16 ? ScalarType.BFloat16 : ScalarType.Float32;
            var network = new DecoderModel(checkpoint.Config, dtype, device);
            DecoderWeights.Load(network, checkpoint);
            network.eval();
            var tokens = ChatPolicyTokens.Create(checkpoint, tokenizer);
            var hash = HfPolicyManifest.TryRead(checkpoint.Folder)?.WeightsSha256 ?? HfPolicyManifest.Fingerprint(checkpoint);
            var version = $"{hash[..16]}/{tokens.Identity}/{(weights?.Weights is { } w ? string.Join(",", w.Select(p => $"{p.Key}={p.Value:R}")) : "mean")}";
            return new HfRewardModel(Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpoint.Folder)), network, tokenizer, tokens, weights ?? HeadWeights.EqualMean, device, version, batchSize);
        }
        catch
        {
            tokenizer.Dispose();
            throw;
        }
    }

    public Task<IReadOnlyList<RewardVector>> ScoreAsync(IReadOnlyList<ScoringItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var encoded = items.Select(Encode).ToArray();
        var order = Enumerable.Range(0, items.Count).OrderBy(i => encoded[i].Length).ThenBy(i => i).ToArray();
        var results = new RewardVector[items.Count];
        var labels = network.Config.Labels;
        for (var start = 0; start < order.Length; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.Skip(start).Take(batchSize).ToArray();
            var values = ScoreTokens(batch.Select(i => encoded[i]).ToArray());
            for (var b = 0; b < batch.Length; b++)
            {
                var vector = new Dictionary<string, double>(StringComparer.Ordinal);
                for (var h = 0; h < labels.Count; h++)
                {
                    vector[labels[h]] = values[b][h];
                }

                results[batch[b]] = new RewardVector(weights.Combine(vector), vector);
            }
        }

        return Task.FromResult<IReadOnlyList<RewardVector>>(results);
    }

    public void Dispose()
    {
        network.Dispose();
        tokenizer.Dispose();
    }

    private int[] Encode(ScoringItem item)
    {
        int[] sequence = [.. tokens.EncodePrompt(item.Conversation), .. tokens.EncodeResponse(item.Conversation, item.Response)];
        return sequence.Length > MaxLength ? sequence[^MaxLength..] : sequence;
    }

    /// <summary>
    /// The head values of token sequences scored together (right-padded; each row pooled at its last token that is not
    /// the configured pad id, or its last token when none is configured).
    /// </summary>
    public double[][] ScoreTokens(IReadOnlyList<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var rows = sequences.Count;
        var length = sequences.Max(s => s.Length);
        var padId = network.Config.PadTokenId;
        var ids = new long[rows * length];
        var pool = new long[rows];
        for (var r = 0; r < rows; r++)
        {
            var sequence = sequences[r];
            for (var t = 0; t < length; t++)
            {
                ids[(r * length) + t] = t < sequence.Length ? sequence[t] : padId ?? 0;
            }

            var last = sequence.Length - 1;
            if (padId is { } pad)
            {
                while (last > 0 && sequence[last] == pad)
                {
                    last--;
                }
            }

            pool[r] = last;
        }

        var scores = network.Scores(tensor(ids, [rows, length], device: device), tensor(pool, device: device));
        var data = scores.to(CPU).to_type(ScalarType.Float64).data<double>().ToArray();
        var heads = network.Config.Labels.Count;
        return Enumerable.Range(0, rows).Select(r => data.AsSpan(r * heads, heads).ToArray()).ToArray();
    }
}

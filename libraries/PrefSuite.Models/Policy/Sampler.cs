using PrefSuite.Science.Augmentation;
using PrefSuite.Science.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>
/// Samples N responses per prompt from the built-in policy with a key/value cache. Prompts are left-padded within a
/// batch (masked, with positions counted from each prompt's first real token), so a row's result does not depend on
/// its batch. Each sample draws from its own generator keyed by (seed, prompt key, sample index): same seed, same text.
/// </summary>
public static class Sampler
{
    /// <summary>N responses per text prompt.</summary>
    public static IReadOnlyList<SampledResponse> Sample(
        PolicyModel policy,
        IReadOnlyList<string> prompts,
        IReadOnlyList<string> promptKeys,
        int samplesPerPrompt,
        SamplingOptions options,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        return Sample(policy, prompts.Select(PromptText.FromText).ToArray(), promptKeys, samplesPerPrompt, options, progress, cancellationToken);
    }

    /// <summary>N responses per prompt (text or messages, encoded by the policy's convention).</summary>
    public static IReadOnlyList<SampledResponse> Sample(
        PolicyModel policy,
        IReadOnlyList<PromptText> prompts,
        IReadOnlyList<string> promptKeys,
        int samplesPerPrompt,
        SamplingOptions options,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(prompts);
        return SampleTokens(policy, prompts.Select(policy.EncodePrompt).ToArray(), promptKeys, samplesPerPrompt, options, progress, cancellationToken);
    }

    /// <summary>N responses per prompt given as the tokens the model reads.</summary>
    public static IReadOnlyList<SampledResponse> SampleTokens(
        PolicyModel policy,
        IReadOnlyList<int[]> encoded,
        IReadOnlyList<string> promptKeys,
        int samplesPerPrompt,
        SamplingOptions options,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentNullException.ThrowIfNull(promptKeys);
        ArgumentNullException.ThrowIfNull(options);
        if (encoded.Count != promptKeys.Count)
        {
            throw new ArgumentException($"{encoded.Count} prompts but {promptKeys.Count} keys.", nameof(promptKeys));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerPrompt, 1);
        for (var p = 0; p < encoded.Count; p++)
        {
            if (encoded[p].Length >= policy.Context)
            {
                throw new ArgumentException($"Prompt {p} has {encoded[p].Length} tokens; the model's context is {policy.Context}, leaving no room for a response.");
            }
        }

        var rows = new List<(int Prompt, int Sample)>(encoded.Count * samplesPerPrompt);
        for (var p = 0; p < encoded.Count; p++)
        {
            for (var s = 0; s < samplesPerPrompt; s++)
            {
                rows.Add((p, s));
            }
        }

        var results = new List<SampledResponse>(rows.Count);
        policy.Network.eval();
        using var noGrad = no_grad();
        for (var start = 0; start < rows.Count; start += options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = rows.GetRange(start, Math.Min(options.BatchSize, rows.Count - start));
            var generators = batch.Select(r => SplitMix64.ForKey(options.Seed, StableHash.Fnv1a64(promptKeys[r.Prompt]) ^ (0x9E3779B97F4A7C15UL * (ulong)(r.Sample + 1)))).ToArray();
            var decoded = DecodeBatch(policy, batch.Select(r => encoded[r.Prompt]).ToArray(), generators, options);
            for (var i = 0; i < batch.Count; i++)
            {
                var (tokens, logProbs, reason) = decoded[i];
                var text = policy.Tokens.DecodeResponse(tokens);
                if (reason == "stop")
                {
                    var stop = options.StopSequences.First(s => text.EndsWith(s, StringComparison.Ordinal));
                    text = text[..^stop.Length];
                }

                results.Add(new SampledResponse(batch[i].Prompt, batch[i].Sample, text, tokens, logProbs, reason));
            }

            progress?.Report(results.Count);
        }

        return results;
    }

    private static (int[] Tokens, double[] LogProbs, string Reason)[] DecodeBatch(PolicyModel policy, int[][] prompts, SplitMix64[] generators, SamplingOptions options)
    {
        var device = policy.Device;
        var rows = prompts.Length;
        var promptLength = prompts.Max(p => p.Length);
        var capacity = Math.Min(promptLength + options.MaxNewTokens, policy.Context);
        var steps = capacity - promptLength;
        var valid = new bool[rows, capacity];
        var nextPosition = new long[rows];
        var tokens = new long[rows * promptLength];
        var positions = new long[rows * promptLength];
        for (var r = 0; r < rows; r++)
        {
            var pad = promptLength - prompts[r].Length;
            for (var t = 0; t < promptLength; t++)
            {
                var real = t >= pad;
                tokens[(r * promptLength) + t] = real ? prompts[r][t - pad] : policy.Tokens.PadId;
                positions[(r * promptLength) + t] = real ? t - pad : 0;
                valid[r, t] = real;
            }

            nextPosition[r] = prompts[r].Length;
        }

        var generated = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();
        var logProbs = Enumerable.Range(0, rows).Select(_ => new List<double>()).ToArray();
        var reasons = new string?[rows];
        var never = policy.Tokens.NeverSampled.ToArray();
        var stops = policy.Tokens.StopIds;
        var caches = policy.Network.NewCache(rows, capacity, device);
        try
        {
            using var scope = NewDisposeScope();
            var input = tensor(tokens, [rows, promptLength], device: device);
            var inputPositions = tensor(positions, [rows, promptLength], device: device);
            // Without padding (all prompts of one length, e.g. N samples of one prompt) plain causal attention is exact
            // and faster; with padding the masks keep every row independent of its neighbours.
            var padded = prompts.Any(p => p.Length != promptLength);
            var mask = padded ? PrefillMask(valid, rows, promptLength, device) : null;
            var logits = policy.Network.Forward(input, inputPositions, mask, caches);
            var last = logits[TensorIndex.Colon, -1, TensorIndex.Colon];
            for (var step = 0; step < steps; step++)
            {
                // On a GPU the draw runs there and only tokens and log-probs come back; on the CPU the scalar loop is faster.
                float[]? values = null;
                (long[] Tokens, double[] LogProbs) drawn = default;
                if (DrawsOnDevice(device))
                {
                    var uniforms = new double[rows];
                    for (var r = 0; r < rows; r++)
                    {
                        uniforms[r] = reasons[r] is null && options.Temperature != 0 ? generators[r].NextDouble() : 0;
                    }

                    drawn = TensorDraw.Draw(last, uniforms, options, never);
                }
                else
                {
                    values = last.to(CPU).to_type(ScalarType.Float32).data<float>().ToArray();
                }

                var vocabulary = values is null ? 0 : values.Length / rows;
                var next = new long[rows];
                var stepPositions = new long[rows];
                for (var r = 0; r < rows; r++)
                {
                    next[r] = policy.Tokens.PadId;
                    stepPositions[r] = Math.Min(nextPosition[r], policy.Context - 1);
                    if (reasons[r] is not null)
                    {
                        continue;
                    }

                    var (token, logProb) = values is null
                        ? ((int)drawn.Tokens![r], drawn.LogProbs![r])
                        : Draw(values.AsSpan(r * vocabulary, vocabulary), ref generators[r], options, never);
                    logProbs[r].Add(logProb);
                    if (stops.Contains(token))
                    {
                        reasons[r] = "eos";
                        continue;
                    }

                    generated[r].Add(token);
                    next[r] = token;
                    if (options.StopSequences.Count > 0)
                    {
                        var text = policy.Tokens.DecodeResponse(generated[r]);
                        if (options.StopSequences.Any(s => text.EndsWith(s, StringComparison.Ordinal)))
                        {
                            reasons[r] = "stop";
                        }
                    }
                }

                var position = promptLength + step;
                for (var r = 0; r < rows; r++)
                {
                    valid[r, position] = true;
                    nextPosition[r]++;
                }

                if (reasons.All(x => x is not null) || step == steps - 1)
                {
                    break;
                }

                using var stepScope = NewDisposeScope();
                var stepInput = tensor(next, [rows, 1], device: device);
                var stepPositionTensor = tensor(stepPositions, [rows, 1], device: device);
                var stepMask = padded ? StepMask(valid, rows, position + 1, device) : null;
                var stepLogits = policy.Network.Forward(stepInput, stepPositionTensor, stepMask, caches);
                last = stepLogits[TensorIndex.Colon, -1, TensorIndex.Colon].MoveToOuterDisposeScope();
            }
        }
        finally
        {
            foreach (var cache in caches)
            {
                cache.Dispose();
            }
        }

        return Enumerable.Range(0, rows).Select(r => (generated[r].ToArray(), logProbs[r].ToArray(), reasons[r] ?? "length")).ToArray();
    }

    /// <summary>Whether the token draw runs on the device (<see cref="TensorDraw"/>): on any accelerator, never on the CPU.</summary>
    internal static bool DrawsOnDevice(Device device) => device.type != DeviceType.CPU;

    /// <summary>[B, 1, T, T]: causal, real keys only; every query may see itself so padded rows never attend to nothing.</summary>
    private static Tensor PrefillMask(bool[,] valid, int rows, int length, Device device)
    {
        var mask = new bool[rows * length * length];
        for (var r = 0; r < rows; r++)
        {
            for (var q = 0; q < length; q++)
            {
                for (var k = 0; k <= q; k++)
                {
                    mask[(((r * length) + q) * length) + k] = valid[r, k] || k == q;
                }
            }
        }

        return tensor(mask, [rows, 1, length, length], device: device);
    }

    /// <summary>[B, 1, 1, T]: the new query sees every real key so far.</summary>
    private static Tensor StepMask(bool[,] valid, int rows, int length, Device device)
    {
        var mask = new bool[rows * length];
        for (var r = 0; r < rows; r++)
        {
            for (var k = 0; k < length; k++)
            {
                mask[(r * length) + k] = valid[r, k];
            }
        }

        return tensor(mask, [rows, 1, 1, length], device: device);
    }

    /// <summary>Draws a token from temperature/top-k/top-p-adjusted logits; returns it with its log-probability under the unadjusted policy.</summary>
    internal static (int Token, double LogProb) Draw(ReadOnlySpan<float> policyLogits, ref SplitMix64 generator, SamplingOptions options, ReadOnlySpan<int> never)
    {
        // The reported log-probability is under the policy itself; the draw excludes tokens that must never be generated.
        var logNormalizer = LogSumExp(policyLogits);
        Span<float> logits = policyLogits.Length <= 4096 ? stackalloc float[policyLogits.Length] : new float[policyLogits.Length];
        policyLogits.CopyTo(logits);
        foreach (var id in never)
        {
            logits[id] = float.NegativeInfinity;
        }

        var vocabulary = logits.Length;
        var max = double.NegativeInfinity;
        foreach (var l in logits)
        {
            max = Math.Max(max, l);
        }

        int token;
        if (options.Temperature == 0)
        {
            token = 0;
            for (var i = 1; i < vocabulary; i++)
            {
                token = logits[i] > logits[token] ? i : token;
            }

            return (token, policyLogits[token] - logNormalizer);
        }

        if (options.TopK == 0 && options.TopP >= 1)
        {
            // Plain temperature sampling: inverse CDF in token order, no sort needed.
            double mass = 0;
            Span<double> scaled = vocabulary <= 4096 ? stackalloc double[vocabulary] : new double[vocabulary];
            for (var i = 0; i < vocabulary; i++)
            {
                scaled[i] = Math.Exp((logits[i] - max) / options.Temperature);
                mass += scaled[i];
            }

            var target = generator.NextDouble() * mass;
            token = vocabulary - 1;
            double acc = 0;
            for (var i = 0; i < vocabulary; i++)
            {
                acc += scaled[i];
                if (target < acc)
                {
                    token = i;
                    break;
                }
            }

            return (token, policyLogits[token] - logNormalizer);
        }

        // Candidates sorted by logit (descending, ties by id), truncated by top-k and top-p. Tokens whose weight is below
        // e^-50 of the most likely one are left out before sorting: together they weigh less than one part in 10^16 of
        // the total (less than a double can add to it), and large vocabularies then sort only what can be drawn.
        var copy = logits.ToArray();
        var floor = max - (50 * options.Temperature);
        var keys = new List<ulong>();
        for (var i = 0; i < vocabulary; i++)
        {
            if (copy[i] >= floor)
            {
                keys.Add(((ulong)~OrderedBits(copy[i]) << 32) | (uint)i);
            }
        }

        keys.Sort();
        var order = keys.Select(k => (int)(k & 0xFFFFFFFFUL)).ToArray();
        vocabulary = order.Length;
        var keep = options.TopK > 0 ? Math.Min(options.TopK, vocabulary) : vocabulary;
        var weights = new double[keep];
        double total = 0;
        for (var i = 0; i < keep; i++)
        {
            weights[i] = Math.Exp((copy[order[i]] - max) / options.Temperature);
            total += weights[i];
        }

        if (options.TopP < 1)
        {
            double cumulative = 0;
            for (var i = 0; i < keep; i++)
            {
                cumulative += weights[i] / total;
                if (cumulative >= options.TopP)
                {
                    keep = i + 1;
                    break;
                }
            }

            total = 0;
            for (var i = 0; i < keep; i++)
            {
                total += weights[i];
            }
        }

        var u = generator.NextDouble() * total;
        token = order[keep - 1];
        double running = 0;
        for (var i = 0; i < keep; i++)
        {
            running += weights[i];
            if (u < running)
            {
                token = order[i];
                break;
            }
        }

        return (token, policyLogits[token] - logNormalizer);
    }

    /// <summary>The float's bits as an unsigned integer that sorts in the same order as the floats.</summary>
    private static uint OrderedBits(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
    }

    private static double LogSumExp(ReadOnlySpan<float> values)
    {
        var max = double.NegativeInfinity;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }

        double sum = 0;
        foreach (var v in values)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }
}

using System.Diagnostics;
using System.Globalization;
using PrefSuite.Models.Policy;
using PrefSuite.Models.Training;
using PrefSuite.Science.Randomness;
using static TorchSharp.torch;

namespace PrefSuite.Benchmarks;

/// <summary>
/// Times a Hugging Face decoder checkpoint (written by benchmarks/reference/llama_torch.py --write) the way that script
/// times PyTorch: a training step (forward + backward + AdamW, 8 × 128 tokens, median of 7 after 2 warm-ups) and sampling
/// (32-token prompt, 64 new tokens at temperature 1 with the KV cache, batch 1 and 16, best of 3 after a warm-up).
/// </summary>
internal static class HfDecoderSpeed
{
    private const int Threads = 1;
    private const int TrainBatch = 8;
    private const int TrainLength = 128;
    private const int Prompt = 32;
    private const int New = 64;

    public static void Run(string folder)
    {
        PrefSuite.Models.Native.TorchThreads.Set(Threads);
        Console.WriteLine(PrefSuite.Models.Native.MklKernelDispatch.Status);
        using var policy = PolicyModel.Load(folder, CPU);
        var step = TrainStepMs(policy);
        var b1 = SampleTokS(policy, 1);
        var b16 = SampleTokS(policy, 16);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"prefsuite: params={policy.ParameterCount} train_step_B{TrainBatch}xT{TrainLength}_ms={step:F0} sample_b1_tok_s={b1:F1} sample_b16_tok_s={b16:F1}"));
    }

    private static double TrainStepMs(PolicyModel policy)
    {
        using var optimizer = new FlatAdamW(policy.TrainableParameters(), 1e-5);
        var rng = new SplitMix64(1);
        var times = new List<double>();
        policy.Network.train();
        for (var step = 0; step < 9; step++)
        {
            var prompts = Enumerable.Range(0, TrainBatch).Select(_ => new[] { rng.NextInt(256) }).ToArray();
            var responses = Enumerable.Range(0, TrainBatch).Select(_ => Enumerable.Range(0, TrainLength - 1).Select(_ => rng.NextInt(256)).ToArray()).ToArray();
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                using var batch = SequenceBatch.Create(prompts, responses, policy.Tokens.PadId, policy.Context, policy.Device);
                var tokenLogProbs = ResponseLogProbs.TokenLogProbs(policy.Network, batch);
                var loss = -(tokenLogProbs * batch.ResponseMask).sum() / batch.ResponseMask.sum();
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.ClipGradNorm(1.0);
                optimizer.Step();
            }

            if (step >= 2)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        policy.Network.eval();
        times.Sort();
        return times[times.Count / 2];
    }

    private static double SampleTokS(PolicyModel policy, int batch)
    {
        var rng = new SplitMix64(2);
        var best = 0.0;
        for (var rep = 0; rep < 4; rep++)
        {
            var prompt = Enumerable.Range(0, Prompt).Select(_ => rng.NextInt(256)).ToArray();
            var clock = Stopwatch.StartNew();
            // N samples of one prompt: one batch of `batch` rows, as sampling N responses per prompt runs.
            var samples = Sampler.SampleTokens(policy, [prompt], [$"p{rep}"], batch, new SamplingOptions { MaxNewTokens = New, Seed = (ulong)rep, BatchSize = batch });
            var elapsed = clock.Elapsed.TotalSeconds;
            if (rep > 0)
            {
                best = Math.Max(best, samples.Sum(s => s.TokenLogProbs.Length) / elapsed);
            }
        }

        return best;
    }
}

using PrefSuite.Models.Policy;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.Policy;

public class PolicyModelTests
{
    private static PolicyModel Tiny(long seed = 1) => PolicyModel.Create(new PolicyConfig { Layers = 2, Width = 32, Heads = 4, Context = 32 }, seed, CPU);

    [Fact]
    public void IncrementalDecodingWithTheCacheMatchesAFullForwardPass()
    {
        using var policy = Tiny();
        using var _ = no_grad();
        long[] sequence = [11, 12, 3, 1, 2, 13, 1, 2];
        using var tokens = tensor(sequence, [1, sequence.Length]);
        using var full = policy.Network.Forward(tokens);

        var cache = policy.Network.NewCache(1, 16, CPU);
        using var prefill = policy.Network.Forward(tokens.narrow(1, 0, 6), null, null, cache);
        using var step1 = policy.Network.Forward(tokens.narrow(1, 6, 1), tensor(new long[] { 6 }, [1, 1]), null, cache);
        using var step2 = policy.Network.Forward(tokens.narrow(1, 7, 1), tensor(new long[] { 7 }, [1, 1]), null, cache);
        Assert.True(full[0, 5].allclose(prefill[0, 5], 1e-5, 1e-5));
        Assert.True(full[0, 6].allclose(step1[0, 0], 1e-5, 1e-5));
        Assert.True(full[0, 7].allclose(step2[0, 0], 1e-5, 1e-5));
        foreach (var layer in cache)
        {
            layer.Dispose();
        }
    }

    [Fact]
    public void SamplingIsReproducibleAndIndependentOfTheBatch()
    {
        using var policy = Tiny();
        var options = new SamplingOptions { Seed = 3, MaxNewTokens = 8 };
        string[] prompts = ["sort 1 2 =", "sort 9 8 7 6 5 4 3 2 ="];
        var alone = Sampler.Sample(policy, [prompts[0]], ["a"], 4, options);
        var together = Sampler.Sample(policy, prompts, ["a", "b"], 4, options with { BatchSize = 8 });
        var again = Sampler.Sample(policy, [prompts[0]], ["a"], 4, options with { BatchSize = 1 });

        for (var s = 0; s < 4; s++)
        {
            Assert.Equal(alone[s].TokenIds, together[s].TokenIds);
            Assert.Equal(alone[s].TokenIds, again[s].TokenIds);
            Assert.Equal(alone[s].LogProb, together[s].LogProb, 4);
        }

        var otherSeed = Sampler.Sample(policy, [prompts[0]], ["a"], 4, options with { Seed = 4 });
        Assert.NotEqual(alone.Select(s => string.Join(',', s.TokenIds)), otherSeed.Select(s => string.Join(',', s.TokenIds)));
    }

    [Fact]
    public void SampledLogProbsEqualTeacherForcedLogProbs()
    {
        using var policy = Tiny(2);
        var samples = Sampler.Sample(policy, ["sort 4 2 ="], ["p"], 16, new SamplingOptions { Seed = 1, MaxNewTokens = 12 });
        var ended = samples.Where(s => s.FinishReason == "eos").ToArray();
        Assert.NotEmpty(ended);
        var scored = ResponseLogProbs.Compute(policy, ended.Select(_ => "sort 4 2 =").ToArray(), ended.Select(s => s.Text).ToArray());
        for (var i = 0; i < ended.Length; i++)
        {
            Assert.Equal(ended[i].LogProb, scored[i], 3);
            Assert.Equal(ended[i].TokenIds.Length + 1, ended[i].TokenLogProbs.Length); // EOS counted
        }
    }

    [Fact]
    public void GreedyDecodingIsTopKOne()
    {
        using var policy = Tiny(5);
        var greedy = Sampler.Sample(policy, ["sort 5 3 ="], ["p"], 2, new SamplingOptions { Temperature = 0 });
        var topOne = Sampler.Sample(policy, ["sort 5 3 ="], ["p"], 2, new SamplingOptions { TopK = 1, Seed = 9 });
        Assert.Equal(greedy[0].TokenIds, greedy[1].TokenIds);
        Assert.Equal(greedy[0].TokenIds, topOne[0].TokenIds);
    }

    [Fact]
    public void StopSequencesCutTheResponse()
    {
        using var policy = Tiny(6);
        // The untrained model babbles: take a seed whose sample runs to at least two tokens, and stop at its first.
        var seed = Enumerable.Range(0, 100).Select(s => (ulong)s).First(s => Sampler.Sample(policy, ["sort 5 3 ="], ["p"], 1, new SamplingOptions { Seed = s, MaxNewTokens = 12 })[0].TokenIds.Length >= 2);
        var free = Sampler.Sample(policy, ["sort 5 3 ="], ["p"], 1, new SamplingOptions { Seed = seed, MaxNewTokens = 12 })[0];
        var firstToken = policy.Tokens.DecodeResponse([free.TokenIds[0]]);
        var stopped = Sampler.Sample(policy, ["sort 5 3 ="], ["p"], 1, new SamplingOptions { Seed = seed, MaxNewTokens = 12, StopSequences = [firstToken] })[0];
        Assert.Equal("stop", stopped.FinishReason);
        Assert.Equal(string.Empty, stopped.Text);
    }

    [Fact]
    public void CheckpointsRoundTripAndDetectDamage()
    {
        using var folder = new TempFolder();
        using var policy = Tiny(7);
        var hash = policy.Save(folder.Sub("ckpt"), "init");
        Assert.Equal(64, hash.Length);
        using var loaded = PolicyModel.Load(folder.Sub("ckpt"), CPU);
        Assert.Equal(hash, loaded.Manifest!.WeightsSha256);
        Assert.Equal(policy.ParameterCount, loaded.Manifest.Parameters);

        using var tokens = tensor(new long[] { 11, 12, 3, 13 }, [1, 4]);
        using (no_grad())
        {
            Assert.True(policy.Network.Forward(tokens).allclose(loaded.Network.Forward(tokens)));
        }

        var weights = Path.Combine(folder.Sub("ckpt"), PolicyModel.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        bytes[^5] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);
        var error = Assert.Throws<InvalidDataException>(() => PolicyModel.Load(folder.Sub("ckpt"), CPU));
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePromptMustLeaveRoomInTheContext()
    {
        using var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 16, Heads = 2, Context = 6 }, 1, CPU);
        var error = Assert.Throws<ArgumentException>(() => Sampler.Sample(policy, ["sort 1 2 3 4 ="], ["p"], 1, new SamplingOptions()));
        Assert.Contains("context is 6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDemoConfigurationHasAboutOneHundredFiftyThousandParameters()
    {
        using var policy = PolicyModel.Create(new PolicyConfig(), 1, CPU);
        Assert.InRange(policy.ParameterCount, 150_000, 160_000);
    }
}

using System.Security.Cryptography;
using PrefSuite.Models.HuggingFace;
using PrefSuite.Models.Policy;
using PrefSuite.Models.Rewards;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.HuggingFace;

/// <summary>
/// The TorchSharp decoder family against the independent NumPy reference (Reference/hf_reference.py): the same tiny
/// checkpoints, byte for byte, give the same log-probabilities, logits, greedy continuations and rewards.
/// </summary>
public sealed class DecoderReferenceTests : IDisposable
{
    private readonly TempFolder folder = new();

    public static TheoryData<string> AllModels => new() { "qwen2-tiny", "llama3-tiny", "mistral-tiny", "qwen3-tiny", "qwen2-reward-tiny", "llama-reward-tiny" };

    public static TheoryData<string> CausalModels => new() { "qwen2-tiny", "llama3-tiny", "mistral-tiny", "qwen3-tiny" };

    [Theory]
    [MemberData(nameof(AllModels))]
    public void TheWrittenCheckpointIsByteIdenticalToTheReferences(string model)
    {
        var written = TinyCheckpoints.Write(model, folder.Path);
        foreach (var (file, sha) in ReferenceFixture.Load(model).WeightSha256)
        {
            using var stream = File.OpenRead(Path.Combine(written, file));
            Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(stream)));
        }
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void LoadedWeightsHaveTheReferenceChecksums(string model)
    {
        var fixture = ReferenceFixture.Load(model);
        var checkpoint = HfCheckpoint.Open(TinyCheckpoints.Write(model, folder.Path));
        using var network = new DecoderModel(checkpoint.Config, ScalarType.Float32, CPU);
        DecoderWeights.Load(network, checkpoint);
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(fixture.Tensors.Count, parameters.Count);
        foreach (var (name, shape, sum, sumSquares) in fixture.Tensors)
        {
            var values = parameters[name].to_type(ScalarType.Float64).data<double>().ToArray();
            Assert.Equal(shape, parameters[name].shape);
            Assert.Equal(sum, values.Sum(), 6);
            Assert.Equal(sumSquares, values.Sum(v => v * v), 6);
        }
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void RotaryFrequenciesMatchTheReference(string model)
    {
        var fixture = ReferenceFixture.Load(model);
        var config = HfCheckpoint.Open(TinyCheckpoints.Write(model, folder.Path)).Config;
        var (frequencies, factor) = RotaryFrequencies.Compute(config.Rope, config.HeadDim, config.MaxPositions);
        var expected = ReferenceFixture.Doubles(fixture.Root.GetProperty("rope_inv_freq"));
        Assert.Equal(expected.Length, frequencies.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], frequencies[i], 1e-12 * Math.Max(1, expected[i]));
        }

        Assert.Equal(fixture.Root.GetProperty("rope_attention_factor").GetDouble(), factor, 12);
    }

    [Theory]
    [MemberData(nameof(CausalModels))]
    public void TokenLogProbsAndLogitsMatchTheReference(string model)
    {
        var fixture = ReferenceFixture.Load(model);
        using var policy = PolicyModel.Load(TinyCheckpoints.Write(model, folder.Path), CPU);
        using var noGrad = no_grad();
        foreach (var sequence in fixture.Root.GetProperty("sequences").EnumerateArray())
        {
            var ids = ReferenceFixture.Ints(sequence.GetProperty("ids"));
            using var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
            using var logits = policy.Network.Forward(input);
            using var logProbs = nn.functional.log_softmax(logits, -1);
            var expected = ReferenceFixture.Doubles(sequence.GetProperty("token_logprobs"));
            for (var t = 0; t < expected.Length; t++)
            {
                Assert.Equal(expected[t], logProbs[0, t, ids[t + 1]].item<float>(), 4e-4);
            }

            var lastExpected = ReferenceFixture.Doubles(sequence.GetProperty("last_logits"));
            var last = logits[0, -1].data<float>().ToArray();
            Assert.Equal(lastExpected.Length, last.Length);
            for (var v = 0; v < last.Length; v++)
            {
                Assert.Equal(lastExpected[v], last[v], 4e-4);
            }
        }
    }

    [Theory]
    [MemberData(nameof(CausalModels))]
    public void GreedyDecodingWithKvCacheAndLeftPaddingMatchesTheReference(string model)
    {
        var fixture = ReferenceFixture.Load(model);
        using var policy = PolicyModel.Load(TinyCheckpoints.Write(model, folder.Path), CPU);
        var cases = fixture.Root.GetProperty("greedy").EnumerateArray().ToArray();
        var prompts = cases.Select(c => ReferenceFixture.Ints(c.GetProperty("prompt"))).ToArray();
        // Both prompts in one batch: the shorter one is left-padded, so masks and positions are exercised.
        var samples = Sampler.SampleTokens(policy, prompts, prompts.Select((_, i) => $"p{i}").ToArray(), 1, new SamplingOptions { Temperature = 0, MaxNewTokens = 8 });
        for (var i = 0; i < cases.Length; i++)
        {
            var expected = ReferenceFixture.Ints(cases[i].GetProperty("tokens"));
            var eos = Array.IndexOf(expected, 302);
            var sample = samples.Single(s => s.PromptIndex == i);
            if (eos >= 0)
            {
                Assert.Equal(expected[..eos], sample.TokenIds);
                Assert.Equal("eos", sample.FinishReason);
            }
            else
            {
                Assert.Equal(expected, sample.TokenIds);
                Assert.Equal("length", sample.FinishReason);
            }
        }
    }

    [Theory]
    [InlineData("qwen2-reward-tiny")]
    [InlineData("llama-reward-tiny")]
    public void RewardScoresMatchTheReferenceIncludingPadPooling(string model)
    {
        var fixture = ReferenceFixture.Load(model);
        using var reward = HfRewardModel.Load(TinyCheckpoints.Write(model, folder.Path), device: CPU);
        var sequences = fixture.Root.GetProperty("sequences").EnumerateArray().ToList();
        sequences.Add(fixture.Root.GetProperty("padded"));
        var ids = sequences.Select(s => ReferenceFixture.Ints(s.GetProperty("ids"))).ToArray();
        var scores = reward.ScoreTokens(ids);
        for (var i = 0; i < ids.Length; i++)
        {
            var expected = ReferenceFixture.Doubles(sequences[i].GetProperty("scores"));
            Assert.Equal(expected.Length, scores[i].Length);
            for (var h = 0; h < expected.Length; h++)
            {
                Assert.Equal(expected[h], scores[i][h], 4e-4);
            }
        }
    }

    public void Dispose() => folder.Dispose();
}

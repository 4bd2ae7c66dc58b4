using PrefSuite.Models.Policy;
using PrefSuite.Science.Randomness;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.Policy;

/// <summary>
/// The batched draw that runs on a GPU (<see cref="TensorDraw"/>) against the scalar draw the CPU runs: over random
/// logits with ties and excluded ids, every option set gives the same token from the same uniform and the same
/// log-probability. Run here on CPU tensors: the operations are the same on CUDA.
/// </summary>
public class TensorDrawTests
{
    [Theory]
    [InlineData(50, 1.0, 1.0, 0)]
    [InlineData(50, 0.0, 1.0, 0)]
    [InlineData(3_000, 0.7, 1.0, 0)]
    [InlineData(3_000, 1.0, 0.9, 0)]
    [InlineData(3_000, 1.3, 1.0, 40)]
    [InlineData(3_000, 0.8, 0.95, 20)]
    [InlineData(152_064, 1.0, 1.0, 0)]
    [InlineData(152_064, 0.7, 0.9, 50)]
    public void TheBatchedDrawPicksTheScalarDrawsTokenAndLogProb(int vocabulary, double temperature, double topP, int topK)
    {
        var options = new SamplingOptions { Temperature = temperature, TopP = topP, TopK = topK };
        const int rows = 12;
        var rng = new SplitMix64((ulong)vocabulary + (ulong)topK);
        var logits = new float[rows * vocabulary];
        for (var i = 0; i < logits.Length; i++)
        {
            // Peaked logits rounded to one decimal: many ties, as a trained LM's have.
            logits[i] = (float)Math.Round(rng.NextGaussian() * 3, 1);
        }

        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < 4; i++)
            {
                logits[(r * vocabulary) + rng.NextInt(vocabulary)] = 9f + r;
            }
        }

        int[] never = [1, 7];
        var generators = Enumerable.Range(0, rows).Select(r => new SplitMix64((ulong)r + 100)).ToArray();
        var uniforms = generators.Select(g => temperature == 0 ? 0 : g.NextDouble()).ToArray();
        using var tensorLogits = tensor(logits, [rows, vocabulary]);
        var (tokens, logProbs) = TensorDraw.Draw(tensorLogits, uniforms, options, never);

        for (var r = 0; r < rows; r++)
        {
            var generator = new SplitMix64((ulong)r + 100);
            var (token, logProb) = Sampler.Draw(logits.AsSpan(r * vocabulary, vocabulary), ref generator, options, never);
            Assert.Equal(token, (int)tokens[r]);
            Assert.Equal(logProb, logProbs[r], 9);
            Assert.DoesNotContain((int)tokens[r], never);
        }
    }

    [Fact]
    public void ADrawOfTheLastTokenInTheCdfStaysInTheVocabulary()
    {
        // u just under 1 lands on the last token with weight: the index is clamped, never one past the end.
        using var logits = tensor(new float[] { 0f, 0f, 0f, -100f }, [1, 4]);
        var (tokens, _) = TensorDraw.Draw(logits, [1 - 1e-17], new SamplingOptions(), []);
        Assert.InRange(tokens[0], 0, 3);
    }
}

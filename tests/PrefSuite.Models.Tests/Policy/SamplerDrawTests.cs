using PrefSuite.Models.Policy;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Models.Tests.Policy;

/// <summary>The token draw against a plain reference: sort every token, cut by top-k and top-p, draw by inverse CDF.</summary>
public class SamplerDrawTests
{
    private static int Reference(float[] logits, double u, SamplingOptions options)
    {
        var max = logits.Max();
        var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).ToArray();
        var keep = options.TopK > 0 ? Math.Min(options.TopK, order.Length) : order.Length;
        var weights = order.Take(keep).Select(i => Math.Exp((logits[i] - max) / options.Temperature)).ToArray();
        var total = weights.Sum();
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

            total = weights.Take(keep).Sum();
        }

        var target = u * total;
        double running = 0;
        for (var i = 0; i < keep; i++)
        {
            running += weights[i];
            if (target < running)
            {
                return order[i];
            }
        }

        return order[keep - 1];
    }

    [Theory]
    [InlineData(50, 1.0, 0.9, 0)]
    [InlineData(50_000, 0.8, 0.95, 0)]
    [InlineData(50_000, 1.0, 1.0, 40)]
    [InlineData(152_064, 0.7, 0.9, 20)]
    public void TopKAndTopPDrawTheTokenAFullSortDraws(int vocabulary, double temperature, double topP, int topK)
    {
        var options = new SamplingOptions { Temperature = temperature, TopP = topP, TopK = topK };
        var rng = new SplitMix64(7);
        for (var trial = 0; trial < 20; trial++)
        {
            // Peaked logits with ties, as a trained LM's are.
            var logits = Enumerable.Range(0, vocabulary).Select(_ => (float)Math.Round(rng.NextGaussian() * 3, 1)).ToArray();
            for (var i = 0; i < 5; i++)
            {
                logits[rng.NextInt(vocabulary)] = 12f;
            }

            var generator = new SplitMix64((ulong)trial);
            var copy = generator;
            var (token, logProb) = Sampler.Draw(logits, ref generator, options, []);
            Assert.Equal(Reference(logits, copy.NextDouble(), options), token);
            var logNormalizer = Math.Log(logits.Sum(l => Math.Exp(l - 12.0))) + 12.0;
            Assert.Equal(logits[token] - logNormalizer, logProb, 6);
        }
    }
}

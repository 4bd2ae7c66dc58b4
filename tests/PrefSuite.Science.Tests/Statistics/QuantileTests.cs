using CsCheck;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Science.Tests.Statistics;

public class QuantileTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0 / 3.0, 2.0)]
    [InlineData(0.5, 2.5)]
    [InlineData(0.95, 3.85)]
    [InlineData(1.0, 4.0)]
    public void InterpolatesLinearlyBetweenOrderStatistics(double q, double expected)
    {
        Assert.Equal(expected, Quantile.Of([4, 1, 3, 2], q), 12);
    }

    [Fact]
    public void OutOfRangeQuantileIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Quantile.Of([1, 2], 1.5));
        Assert.Throws<ArgumentException>(() => Quantile.Of([], 0.5));
    }

    [Fact]
    public void SelectionGivesTheSortedValueAndTheSortedQuantile()
    {
        // Radix selection on bit patterns against a plain sort: negatives, zeros of both signs, ties, huge and tiny values.
        var values = Gen.OneOf(Gen.Double[-1e6, 1e6], Gen.Int[-3, 3].Select(i => i * 0.5), Gen.OneOf(Gen.Const(-0.0), Gen.Const(1e-300), Gen.Const(-1e300), Gen.Const(double.MaxValue)));
        Gen.Select(values.Array[1, 300], Gen.Double[0, 1]).Sample((data, q) =>
        {
            var sorted = data.Order().ToArray();
            for (var k = 0; k < data.Length; k += 1 + (data.Length / 7))
            {
                Assert.Equal(sorted[k], Quantile.Smallest(data, k));
            }

            var position = q * (sorted.Length - 1);
            var lower = (int)Math.Floor(position);
            var upper = Math.Min(lower + 1, sorted.Length - 1);
            var fraction = position - lower;
            Assert.Equal(sorted[lower] + (fraction * (sorted[upper] - sorted[lower])), Quantile.Of(data, q));

            // The version that reads its values in passes gives the same numbers, one pass per 16 bits of each selection.
            var passes = 0;
            IEnumerable<double> Pass()
            {
                passes++;
                return data;
            }

            Assert.Equal(Quantile.Of(data, q), Quantile.Of(Pass, data.Length, q));
            Assert.InRange(passes, 4, 8);
            Assert.Equal(sorted[^1], Quantile.Smallest(Pass, data.Length - 1));
        });
    }
}

using CsCheck;
using PrefSuite.ChatTemplates.Runtime;

namespace PrefSuite.ChatTemplates.Tests.Runtime;

/// <summary>Floats print as Python's repr: shortest round-trip digits, ".0" on whole numbers, exponents outside 1e-4..1e16.</summary>
public sealed class PyFloatReprTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-2.5e-10, "-2.5e-10")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(123456789.125, "123456789.125")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(double.PositiveInfinity, "inf")]
    public void KnownValuesPrintAsPythonPrintsThem(double value, string expected)
    {
        Assert.Equal(expected, Py.FloatRepr(value));
    }

    [Fact]
    public void EveryFiniteDoubleReadsBackExactly()
    {
        Gen.Double.Where(double.IsFinite).Sample(value =>
        {
            var text = Py.FloatRepr(value);
            return double.Parse(text, System.Globalization.CultureInfo.InvariantCulture).Equals(value)
                && (text.Contains('.', StringComparison.Ordinal) || text.Contains('e', StringComparison.Ordinal));
        });
    }
}

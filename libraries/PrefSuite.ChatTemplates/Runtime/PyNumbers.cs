using System.Globalization;
using System.Text.RegularExpressions;

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Python's int(str, base) and float(str) parsing rules.</summary>
internal static partial class PyNumbers
{
    public static bool TryParseInt(string text, int numberBase, out long value)
    {
        value = 0;
        var s = PyText.Strip(text, null);
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        var lower = s.ToLowerInvariant();
        var prefixBase = lower.Length > 1 && lower[0] == '0' ? lower[1] switch
        {
            'x' => 16,
            'o' => 8,
            'b' => 2,
            _ => 0,
        } : 0;
        if (numberBase == 0)
        {
            if (prefixBase != 0)
            {
                numberBase = prefixBase;
                s = s[2..];
            }
            else
            {
                numberBase = 10;
                if (s.Length > 1 && s[0] == '0' && s.Replace("_", "", StringComparison.Ordinal).Trim('0').Length > 0)
                {
                    return false;
                }
            }
        }
        else if (prefixBase != 0 && prefixBase == numberBase)
        {
            s = s[2..];
            if (s.StartsWith('_'))
            {
                s = s[1..];
            }
        }

        if (numberBase is < 2 or > 36 || s.Length == 0 || s[0] == '_' || s[^1] == '_' || s.Contains("__", StringComparison.Ordinal))
        {
            return false;
        }

        decimal total = 0;
        foreach (var c in s.Replace("_", "", StringComparison.Ordinal))
        {
            var digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (digit >= numberBase)
            {
                return false;
            }

            total = (total * numberBase) + digit;
            if (total > long.MaxValue)
            {
                throw TemplateRuntimeError.Unsupported("integers beyond 64 bits (Python's are unbounded)");
            }
        }

        value = (long)(negative ? -total : total);
        return true;
    }

    public static bool TryParseFloat(string text, out double value)
    {
        var s = PyText.Strip(text, null);
        value = 0;
        if (!FloatPattern().IsMatch(s))
        {
            return false;
        }

        var lower = s.ToLowerInvariant().Replace("_", "", StringComparison.Ordinal);
        var negative = lower.StartsWith('-');
        var unsigned = lower.TrimStart('+', '-');
        value = unsigned switch
        {
            "inf" or "infinity" => double.PositiveInfinity,
            "nan" => double.NaN,
            _ => double.Parse(unsigned, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        value = negative ? -value : value;
        return true;
    }

    [GeneratedRegex(@"^[+-]?((\d(_?\d)*)?\.?\d(_?\d)*([eE][+-]?\d(_?\d)*)?|\d(_?\d)*\.([eE][+-]?\d(_?\d)*)?|(?i:inf|infinity|nan))$")]
    private static partial Regex FloatPattern();
}

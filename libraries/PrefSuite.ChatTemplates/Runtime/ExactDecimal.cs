using System.Globalization;
using System.Numerics;
using System.Text;

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Correctly rounded decimal formatting of doubles (round half to even on the exact binary value), as
/// Python's '%.2f', '%e', format() and round() do; .NET's formatting rounds exact ties away from zero.</summary>
internal static class ExactDecimal
{
    /// <summary>The exact decimal expansion of a positive finite double: value = 0.DIGITS × 10^point.</summary>
    public static (string Digits, int Point) Exact(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        exponent -= 1075;
        string digits;
        int point;
        if (exponent >= 0)
        {
            digits = (new BigInteger(mantissa) << exponent).ToString(CultureInfo.InvariantCulture);
            point = digits.Length;
        }
        else
        {
            digits = (new BigInteger(mantissa) * BigInteger.Pow(5, -exponent)).ToString(CultureInfo.InvariantCulture);
            point = digits.Length + exponent;
        }

        var trimmed = digits.TrimEnd('0');
        return (trimmed.Length == 0 ? "0" : trimmed, point);
    }

    /// <summary>Keeps the first <paramref name="keep"/> digits, rounding half to even; the result may gain a digit.</summary>
    public static (string Digits, int Point) Round(string digits, int point, int keep)
    {
        if (keep >= digits.Length)
        {
            return (digits, point);
        }

        if (keep < 0)
        {
            return ("", point);
        }

        var kept = digits[..keep];
        var first = digits[keep];
        var roundUp = first > '5' || (first == '5' && (digits.AsSpan(keep + 1).ContainsAnyExcept('0') ||
            (kept.Length > 0 && (kept[^1] - '0') % 2 == 1)));
        if (!roundUp)
        {
            return (kept, point);
        }

        var chars = kept.ToCharArray();
        var i = chars.Length - 1;
        while (i >= 0 && chars[i] == '9')
        {
            chars[i--] = '0';
        }

        if (i >= 0)
        {
            chars[i]++;
            return (new string(chars), point);
        }

        return ("1" + new string(chars), point + 1);
    }

    /// <summary>Python's '%.{precision}f'.</summary>
    public static string Fixed(double value, int precision)
    {
        if (!double.IsFinite(value))
        {
            return NonFinite(value);
        }

        var sign = double.IsNegative(value) ? "-" : "";
        var magnitude = Math.Abs(value);
        var (digits, point) = magnitude == 0 ? ("0", 1) : Exact(magnitude);
        (digits, point) = Round(digits, point, point + precision);
        var all = new StringBuilder();
        var integerDigits = Math.Max(point, 0);
        for (var i = 0; i < integerDigits; i++)
        {
            all.Append(i < digits.Length ? digits[i] : '0');
        }

        if (integerDigits == 0)
        {
            all.Append('0');
        }

        if (precision > 0)
        {
            all.Append('.');
            for (var i = 0; i < precision; i++)
            {
                var index = point + i;
                all.Append(index >= 0 && index < digits.Length ? digits[index] : '0');
            }
        }

        return sign + all;
    }

    /// <summary>Python's '%.{precision}e'.</summary>
    public static string Exponent(double value, int precision, bool upper = false)
    {
        if (!double.IsFinite(value))
        {
            return upper ? NonFinite(value).ToUpperInvariant() : NonFinite(value);
        }

        var sign = double.IsNegative(value) ? "-" : "";
        var magnitude = Math.Abs(value);
        var (digits, point) = magnitude == 0 ? ("0", 1) : Exact(magnitude);
        (digits, point) = Round(digits, point, precision + 1);
        digits = digits.PadRight(precision + 1, '0');
        var exponent = magnitude == 0 ? 0 : point - 1;
        var mantissa = precision > 0 ? digits[0] + "." + digits[1..(precision + 1)] : digits[..1];
        return sign + mantissa + (upper ? "E" : "e") + (exponent < 0 ? "-" : "+") +
            Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    /// <summary>Python's '%.{precision}g' (alternate keeps trailing zeros).</summary>
    public static string General(double value, int precision, bool upper = false, bool alternate = false)
    {
        if (!double.IsFinite(value))
        {
            return upper ? NonFinite(value).ToUpperInvariant() : NonFinite(value);
        }

        precision = precision == 0 ? 1 : precision;
        var magnitude = Math.Abs(value);
        var exponent = 0;
        if (magnitude != 0)
        {
            var (digits, point) = Exact(magnitude);
            exponent = Round(digits, point, precision).Point - 1;
        }

        var text = exponent >= -4 && exponent < precision
            ? Fixed(value, precision - 1 - exponent)
            : Exponent(value, precision - 1, upper);
        if (alternate)
        {
            return text;
        }

        var e = text.IndexOfAny(['e', 'E']);
        var body = e < 0 ? text : text[..e];
        var tail = e < 0 ? "" : text[e..];
        if (body.Contains('.', StringComparison.Ordinal))
        {
            body = body.TrimEnd('0').TrimEnd('.');
        }

        return body + tail;
    }

    /// <summary>Python's round(value, ndigits) for a float.</summary>
    public static double RoundTo(double value, long ndigits)
    {
        if (!double.IsFinite(value) || value == 0 || ndigits > 400)
        {
            return value;
        }

        if (ndigits < -400)
        {
            return Math.CopySign(0.0, value);
        }

        var (digits, point) = Exact(Math.Abs(value));
        var keep = point + (int)ndigits;
        (digits, point) = Round(digits, point, keep);
        if (digits.Length == 0)
        {
            return Math.CopySign(0.0, value);
        }

        var text = "0." + digits + "E" + point.ToString(CultureInfo.InvariantCulture);
        var result = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return value < 0 ? -result : result;
    }

    private static string NonFinite(double value) => double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
}

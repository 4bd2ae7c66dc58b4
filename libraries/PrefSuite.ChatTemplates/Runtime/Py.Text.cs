using System.Globalization;
using System.Text;

namespace PrefSuite.ChatTemplates.Runtime;

internal static partial class Py
{
    /// <summary>Python's str(value), which is what <c>{{ value }}</c> prints.</summary>
    public static string Str(object? value) => value switch
    {
        string s => s,
        Markup m => m.Value,
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        Undefined => "",
        PyList or PyDict or PyView => Repr(value),
        Namespace ns => "<Namespace " + DictRepr(ns.Attributes.Select(p => new KeyValuePair<object?, object?>(p.Key, p.Value))) + ">",
        LoopContext loop => $"<LoopContext {loop.Index0 + 1}/{loop.Length}>",
        Macro macro => $"<Macro {StrRepr(macro.Name)}>",
        PyRange range => range.ToString(),
        TemplateReference reference => reference.ToString(),
        _ => throw TemplateRuntimeError.Unsupported(
            $"printing a {TypeName(value)} (Python prints its memory address, which no renderer can reproduce)"),
    };

    /// <summary>Python's repr(value), used inside printed lists and dicts.</summary>
    public static string Repr(object? value) => value switch
    {
        string s => StrRepr(s),
        Markup m => "Markup(" + StrRepr(m.Value) + ")",
        Undefined => "Undefined",
        PyList { IsTuple: true } tuple => tuple.Count == 1
            ? "(" + Repr(tuple.Items[0]) + ",)"
            : "(" + string.Join(", ", tuple.Items.Select(Repr)) + ")",
        PyList list => "[" + string.Join(", ", list.Items.Select(Repr)) + "]",
        PyDict dict => DictRepr(dict.Items),
        PyView view => view.TypeName + "(" + Repr(new PyList(view.ToList())) + ")",
        _ => Str(value),
    };

    private static string DictRepr(IEnumerable<KeyValuePair<object?, object?>> items) =>
        "{" + string.Join(", ", items.Select(pair => Repr(pair.Key) + ": " + Repr(pair.Value))) + "}";

    /// <summary>Python's repr of a str: single quotes unless the text has a single quote and no double quote.</summary>
    public static string StrRepr(string text)
    {
        var quote = text.Contains('\'', StringComparison.Ordinal) && !text.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var builder = new StringBuilder(text.Length + 2).Append(quote);
        foreach (var rune in text.EnumerateRunes())
        {
            var code = rune.Value;
            if (code == quote || code == '\\')
            {
                builder.Append('\\').Append((char)code);
            }
            else if (code == '\t')
            {
                builder.Append("\\t");
            }
            else if (code == '\n')
            {
                builder.Append("\\n");
            }
            else if (code == '\r')
            {
                builder.Append("\\r");
            }
            else if (code < ' ' || code == 0x7f)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{code:x2}");
            }
            else if (code < 0x7f || PyText.IsPrintable(code))
            {
                builder.Append(rune.ToString());
            }
            else
            {
                builder.Append(code switch
                {
                    <= 0xff => $"\\x{code:x2}",
                    <= 0xffff => $"\\u{code:x4}",
                    _ => $"\\U{code:x8}",
                });
            }
        }

        return builder.Append(quote).ToString();
    }

    /// <summary>Python's repr of a float: the shortest text that reads back the same, "1.0" for whole numbers,
    /// exponent form outside 1e-4 .. 1e16.</summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        var (negative, digits, point) = ShortestDigits(value);
        var sign = negative ? "-" : "";
        if (point > -4 && point <= 16)
        {
            if (point <= 0)
            {
                return sign + "0." + new string('0', -point) + digits;
            }

            return point >= digits.Length
                ? sign + digits + new string('0', point - digits.Length) + ".0"
                : sign + digits[..point] + "." + digits[point..];
        }

        var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        var exponent = point - 1;
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    /// <summary>The shortest round-trip digits of a non-zero finite double and where the decimal point goes
    /// (value = 0.DIGITS × 10^point).</summary>
    private static (bool Negative, string Digits, int Point) ShortestDigits(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = text.StartsWith('-');
        if (negative)
        {
            text = text[1..];
        }

        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var integerPart = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        var digits = integerPart + fraction;
        var point = integerPart.Length + exponent;
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..].TrimEnd('0');
        return (negative, digits.Length == 0 ? "0" : digits, point - leading);
    }

    /// <summary>markupsafe's escape: &amp; &lt; &gt; &#34; &#39;.</summary>
    public static string HtmlEscape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&#34;", StringComparison.Ordinal)
        .Replace("'", "&#39;", StringComparison.Ordinal);
}

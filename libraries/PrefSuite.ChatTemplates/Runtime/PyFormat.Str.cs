using System.Globalization;
using System.Text;

namespace PrefSuite.ChatTemplates.Runtime;

internal static partial class PyFormat
{
    /// <summary>str.format: <c>{}</c>, <c>{0}</c>, <c>{name}</c>, <c>{0.attr}</c>, <c>{0[key]}</c>, <c>!r</c>/<c>!s</c>,
    /// and a format spec (fill, align, sign, #, 0, width, grouping, precision, type).</summary>
    public static string Format(string template, CallArgs args)
    {
        var output = new StringBuilder();
        var automatic = 0;
        bool? manual = null;
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    output.Append('}');
                    i += 2;
                    continue;
                }

                throw TemplateRuntimeError.Value("Single '}' encountered in format string");
            }

            if (c != '{')
            {
                output.Append(c);
                i++;
                continue;
            }

            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                output.Append('{');
                i += 2;
                continue;
            }

            var close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                throw TemplateRuntimeError.Value("expected '}' before end of string");
            }

            var field = template[(i + 1)..close];
            if (field.Contains('{', StringComparison.Ordinal))
            {
                throw TemplateRuntimeError.Unsupported("nested replacement fields in str.format");
            }

            i = close + 1;
            var colon = field.IndexOf(':', StringComparison.Ordinal);
            var spec = colon < 0 ? "" : field[(colon + 1)..];
            var reference = colon < 0 ? field : field[..colon];
            char? conversion = null;
            var bang = reference.IndexOf('!', StringComparison.Ordinal);
            if (bang >= 0)
            {
                conversion = reference.Length == bang + 2 ? reference[bang + 1] : throw TemplateRuntimeError.Value("expected ':' after conversion specifier");
                reference = reference[..bang];
            }

            var value = Resolve(reference, args, ref automatic, ref manual);
            value = conversion switch
            {
                null => value,
                's' => Py.Str(value),
                'r' or 'a' => Py.Repr(value),
                _ => throw TemplateRuntimeError.Value($"Unknown conversion specifier {conversion}"),
            };
            output.Append(FormatValue(value, spec));
        }

        return output.ToString();
    }

    private static object? Resolve(string reference, CallArgs args, ref int automatic, ref bool? manual)
    {
        var end = reference.IndexOfAny(['.', '[']);
        var head = end < 0 ? reference : reference[..end];
        object? value;
        if (head.Length == 0 || head.All(char.IsAsciiDigit))
        {
            var isManual = head.Length > 0;
            if (manual is { } mode && mode != isManual)
            {
                throw TemplateRuntimeError.Value("cannot switch between automatic field numbering and manual field specification");
            }

            manual = isManual;
            var index = isManual ? int.Parse(head, CultureInfo.InvariantCulture) : automatic++;
            value = index < args.Positional.Count
                ? args.Positional[index]
                : throw new TemplateRuntimeError("IndexError", $"Replacement index {index} out of range for positional args tuple");
        }
        else
        {
            var found = args.Keywords.FirstOrDefault(pair => pair.Key == head);
            value = found.Key is null ? throw new TemplateRuntimeError("KeyError", Py.Repr(head)) : found.Value;
        }

        var rest = end < 0 ? "" : reference[end..];
        while (rest.Length > 0)
        {
            if (rest[0] == '.')
            {
                var next = rest.IndexOfAny(['.', '['], 1);
                var name = next < 0 ? rest[1..] : rest[1..next];
                value = Attributes.GetAttr(value, name);
                rest = next < 0 ? "" : rest[next..];
            }
            else
            {
                var close = rest.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    throw TemplateRuntimeError.Value("Missing ']' in format string");
                }

                var key = rest[1..close];
                value = Attributes.GetItem(value, key.Length > 0 && key.All(char.IsAsciiDigit) ? long.Parse(key, CultureInfo.InvariantCulture) : key);
                rest = rest[(close + 1)..];
            }
        }

        return value;
    }

    /// <summary>Python's format(value, spec) for str, int, float and bool; other types accept only an empty spec.</summary>
    public static string FormatValue(object? value, string spec)
    {
        if (spec.Length == 0)
        {
            return Py.Str(value);
        }

        var parsed = FormatSpec.Parse(spec);
        return value switch
        {
            string or Markup => FormatText(Py.AsText(value)!, parsed),
            bool or long when parsed.Type is null or 'd' or 'b' or 'o' or 'x' or 'X' or 'c' or 'n' => FormatInteger(Py.AsLong(value), parsed),
            bool or long or double => FormatFloat(Py.AsDouble(value), parsed, value is double),
            _ => throw TemplateRuntimeError.Type($"unsupported format string passed to {Py.TypeName(value)}.__format__"),
        };
    }

    private static string FormatText(string text, FormatSpec spec)
    {
        if (spec.Type is not (null or 's') || spec.Sign is not null || spec.Grouping is not null || spec.Alternate)
        {
            throw TemplateRuntimeError.Value($"Invalid format specifier for object of type 'str'");
        }

        if (spec.Precision is { } precision && precision < PyText.Length(text))
        {
            text = text[..PyText.Offset(text, precision)];
        }

        return spec.Align(text, '<');
    }

    private static string FormatInteger(long value, FormatSpec spec)
    {
        if (spec.Precision is not null)
        {
            throw TemplateRuntimeError.Value("Precision not allowed in integer format specifier");
        }

        var magnitude = value < 0 ? (ulong)(-(decimal)value) : (ulong)value;
        string digits = spec.Type switch
        {
            'b' => System.Convert.ToString((long)magnitude, 2),
            'o' => System.Convert.ToString((long)magnitude, 8),
            'x' => magnitude.ToString("x", CultureInfo.InvariantCulture),
            'X' => magnitude.ToString("X", CultureInfo.InvariantCulture),
            'c' => char.ConvertFromUtf32((int)value),
            _ => magnitude.ToString(CultureInfo.InvariantCulture),
        };
        if (spec.Grouping is { } separator && spec.Type is null or 'd' or 'n')
        {
            digits = Group(digits, separator, 3);
        }

        var prefix = spec.Alternate ? spec.Type switch
        {
            'b' => "0b",
            'o' => "0o",
            'x' => "0x",
            'X' => "0X",
            _ => "",
        } : "";
        return spec.AlignNumber(SignOf(value < 0, spec), prefix + digits);
    }

    private static string FormatFloat(double value, FormatSpec spec, bool isFloat)
    {
        var magnitude = Math.Abs(value);
        string body;
        switch (spec.Type)
        {
            case 'f' or 'F':
                body = ExactDecimal.Fixed(magnitude, spec.Precision ?? 6);
                body = spec.Type == 'F' ? body.ToUpperInvariant() : body;
                break;
            case 'e' or 'E':
                body = ExactDecimal.Exponent(magnitude, spec.Precision ?? 6, spec.Type == 'E');
                break;
            case 'g' or 'G':
                body = ExactDecimal.General(magnitude, spec.Precision ?? 6, spec.Type == 'G', spec.Alternate);
                break;
            case '%':
                body = ExactDecimal.Fixed(magnitude * 100, spec.Precision ?? 6) + "%";
                break;
            case null when spec.Precision is null:
                body = isFloat ? Py.FloatRepr(magnitude) : ((long)magnitude).ToString(CultureInfo.InvariantCulture);
                break;
            default:
                throw TemplateRuntimeError.Unsupported($"the format type '{spec.Type}' with a precision for numbers");
        }

        if (spec.Grouping is { } separator)
        {
            var end = body.IndexOfAny(['.', 'e', 'E', '%']);
            var integerPart = end < 0 ? body : body[..end];
            if (integerPart.All(char.IsAsciiDigit))
            {
                body = Group(integerPart, separator, 3) + (end < 0 ? "" : body[end..]);
            }
        }

        return spec.AlignNumber(SignOf(double.IsNegative(value) && !double.IsNaN(value), spec), body);
    }

    private static string SignOf(bool negative, FormatSpec spec) => negative ? "-" : spec.Sign switch
    {
        '+' => "+",
        ' ' => " ",
        _ => "",
    };

    private static string Group(string digits, char separator, int size)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < digits.Length; i++)
        {
            if (i > 0 && (digits.Length - i) % size == 0)
            {
                builder.Append(separator);
            }

            builder.Append(digits[i]);
        }

        return builder.ToString();
    }

    /// <summary>A parsed format spec: [[fill]align][sign][#][0][width][,|_][.precision][type].</summary>
    private sealed record FormatSpec(char? Fill, char? Alignment, char? Sign, bool Alternate, bool ZeroPad, int? Width, char? Grouping, int? Precision, char? Type)
    {
        public static FormatSpec Parse(string spec)
        {
            var i = 0;
            char? fill = null;
            char? align = null;
            if (spec.Length >= 2 && spec[1] is '<' or '>' or '^' or '=')
            {
                fill = spec[0];
                align = spec[1];
                i = 2;
            }
            else if (spec.Length >= 1 && spec[0] is '<' or '>' or '^' or '=')
            {
                align = spec[0];
                i = 1;
            }

            char? sign = i < spec.Length && spec[i] is '+' or '-' or ' ' ? spec[i++] : null;
            var alternate = i < spec.Length && spec[i] == '#' && ++i > 0;
            var zero = i < spec.Length && spec[i] == '0' && ++i > 0;
            var start = i;
            while (i < spec.Length && char.IsAsciiDigit(spec[i]))
            {
                i++;
            }

            int? width = i > start ? int.Parse(spec.AsSpan(start, i - start), CultureInfo.InvariantCulture) : null;
            char? grouping = i < spec.Length && spec[i] is ',' or '_' ? spec[i++] : null;
            int? precision = null;
            if (i < spec.Length && spec[i] == '.')
            {
                start = ++i;
                while (i < spec.Length && char.IsAsciiDigit(spec[i]))
                {
                    i++;
                }

                precision = i > start ? int.Parse(spec.AsSpan(start, i - start), CultureInfo.InvariantCulture) : throw TemplateRuntimeError.Value("Format specifier missing precision");
            }

            char? type = i < spec.Length ? spec[i++] : null;
            if (i != spec.Length)
            {
                throw TemplateRuntimeError.Value("Invalid format specifier");
            }

            return new FormatSpec(fill, align, sign, alternate, zero, width, grouping, precision, type);
        }

        public string Align(string text, char defaultAlignment)
        {
            var length = PyText.Length(text);
            if (Width is not { } width || width <= length)
            {
                return text;
            }

            var padding = width - length;
            var fill = (Fill ?? (ZeroPad && Alignment is null ? '0' : ' ')).ToString();
            return (Alignment ?? defaultAlignment) switch
            {
                '<' => text + Repeat(fill, padding),
                '^' => Repeat(fill, padding / 2) + text + Repeat(fill, padding - (padding / 2)),
                _ => Repeat(fill, padding) + text,
            };
        }

        public string AlignNumber(string sign, string body)
        {
            var length = PyText.Length(sign + body);
            if (Width is not { } width || width <= length)
            {
                return sign + body;
            }

            var padding = width - length;
            if (Alignment == '=' || (Alignment is null && ZeroPad))
            {
                return sign + Repeat((Fill ?? (ZeroPad ? '0' : ' ')).ToString(), padding) + body;
            }

            return Align(sign + body, '>');
        }

        private static string Repeat(string fill, int count) => string.Concat(Enumerable.Repeat(fill, count));
    }
}

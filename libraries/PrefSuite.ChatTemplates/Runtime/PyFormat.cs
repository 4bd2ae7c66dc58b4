using System.Globalization;
using System.Text;

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Python's printf-style <c>format % values</c> (and the format filter) and str.format.</summary>
internal static partial class PyFormat
{
    /// <summary><c>format % values</c>: a tuple gives the arguments, a dict serves <c>%(name)s</c>, anything else is one argument.</summary>
    public static string Printf(string format, object? values)
    {
        var arguments = values is PyList { IsTuple: true } tuple ? tuple.Items : [values];

        // Python treats any non-tuple argument with __getitem__ as a mapping: no "not all arguments converted" for it.
        var mapping = values is PyDict or PyList { IsTuple: false } or PyRange or Undefined ? values : null;
        var next = 0;
        var usedMapping = false;
        var output = new StringBuilder();
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i++];
            if (c != '%')
            {
                output.Append(c);
                continue;
            }

            if (i >= format.Length)
            {
                throw TemplateRuntimeError.Value("incomplete format");
            }

            object? argument = Missing.Value;
            if (format[i] == '(')
            {
                var close = format.IndexOf(')', i);
                if (close < 0)
                {
                    throw TemplateRuntimeError.Value("incomplete format key");
                }

                var key = format[(i + 1)..close];
                argument = mapping switch
                {
                    PyDict dict => dict.TryGetValue(key, out var found) ? found : throw new TemplateRuntimeError("KeyError", Py.Repr(key)),
                    Undefined undefined => throw undefined.Fail(),
                    null => throw TemplateRuntimeError.Type("format requires a mapping"),
                    _ => throw TemplateRuntimeError.Type($"{Py.TypeName(mapping)} indices must be integers or slices, not str"),
                };
                usedMapping = true;
                i = close + 1;
            }

            var flags = "";
            while (i < format.Length && "-+ #0".Contains(format[i], StringComparison.Ordinal))
            {
                flags += format[i++];
            }

            int? width = ReadNumber(format, ref i, arguments, ref next);
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = ReadNumber(format, ref i, arguments, ref next) ?? 0;
            }

            while (i < format.Length && format[i] is 'h' or 'l' or 'L')
            {
                i++;
            }

            if (i >= format.Length)
            {
                throw TemplateRuntimeError.Value("incomplete format");
            }

            var type = format[i++];
            if (type == '%')
            {
                output.Append('%');
                continue;
            }

            if (argument is Missing)
            {
                if (next >= arguments.Count)
                {
                    throw TemplateRuntimeError.Type("not enough arguments for format string");
                }

                argument = arguments[next++];
            }

            output.Append(Pad(Convert(type, argument, flags, precision), width, flags.Contains('-', StringComparison.Ordinal),
                flags.Contains('0', StringComparison.Ordinal) && "diouxXeEfFgG".Contains(type, StringComparison.Ordinal)));
        }

        if (!usedMapping && mapping is null && next < arguments.Count && values is PyList { IsTuple: true })
        {
            throw TemplateRuntimeError.Type("not all arguments converted during string formatting");
        }

        if (!usedMapping && mapping is null && next == 0 && values is not PyList { IsTuple: true } && arguments.Count == 1 && values is not Missing)
        {
            throw TemplateRuntimeError.Type("not all arguments converted during string formatting");
        }

        return output.ToString();
    }

    private static int? ReadNumber(string format, ref int i, List<object?> arguments, ref int next)
    {
        if (i < format.Length && format[i] == '*')
        {
            i++;
            return next < arguments.Count ? (int)Py.AsIndex(arguments[next++], "* width") : throw TemplateRuntimeError.Type("not enough arguments for format string");
        }

        var start = i;
        while (i < format.Length && char.IsAsciiDigit(format[i]))
        {
            i++;
        }

        return i > start ? int.Parse(format.AsSpan(start, i - start), CultureInfo.InvariantCulture) : null;
    }

    private static string Convert(char type, object? argument, string flags, int? precision)
    {
        if (argument is Undefined undefined && type is not ('s' or 'r' or 'a'))
        {
            throw undefined.Fail();
        }

        var sign = flags.Contains('+', StringComparison.Ordinal) ? "+" : flags.Contains(' ', StringComparison.Ordinal) ? " " : "";
        var alternate = flags.Contains('#', StringComparison.Ordinal);
        switch (type)
        {
            case 's':
                var text = Py.Str(argument);
                return precision is { } p && p < PyText.Length(text) ? text[..PyText.Offset(text, p)] : text;
            case 'r' or 'a':
                var repr = Py.Repr(argument);
                return precision is { } q && q < PyText.Length(repr) ? repr[..PyText.Offset(repr, q)] : repr;
            case 'd' or 'i' or 'u':
                var integer = argument switch
                {
                    bool or long => Py.AsLong(argument),
                    double d when double.IsFinite(d) => (long)Math.Truncate(d),
                    _ => throw TemplateRuntimeError.Type($"%{type} format: a real number is required, not {Py.TypeName(argument)}"),
                };
                return Signed(integer < 0, Math.Abs((decimal)integer).ToString(CultureInfo.InvariantCulture), sign);
            case 'x' or 'X' or 'o':
                if (argument is not (bool or long))
                {
                    throw TemplateRuntimeError.Type($"%{type} format: an integer is required, not {Py.TypeName(argument)}");
                }

                var value = Py.AsLong(argument);
                var magnitude = (ulong)(value < 0 ? -(decimal)value : value);
                var digits = type == 'o' ? System.Convert.ToString((long)magnitude, 8) : magnitude.ToString(type == 'x' ? "x" : "X", CultureInfo.InvariantCulture);
                var prefix = alternate ? (type == 'o' ? "0o" : type == 'x' ? "0x" : "0X") : "";
                return Signed(value < 0, prefix + digits, sign);
            case 'f' or 'F' or 'e' or 'E' or 'g' or 'G':
                if (!Py.IsNumber(argument))
                {
                    throw TemplateRuntimeError.Type($"must be real number, not {Py.TypeName(argument)}");
                }

                var number = Py.AsDouble(argument);
                var body = char.ToLowerInvariant(type) switch
                {
                    'f' => ExactDecimal.Fixed(Math.Abs(number), precision ?? 6),
                    'e' => ExactDecimal.Exponent(Math.Abs(number), precision ?? 6, type == 'E'),
                    _ => ExactDecimal.General(Math.Abs(number), precision ?? 6, type == 'G', alternate),
                };
                if (type == 'F')
                {
                    body = body.ToUpperInvariant();
                }

                return Signed(double.IsNegative(number) && !double.IsNaN(number), body, sign);
            case 'c':
                return argument switch
                {
                    long code => char.ConvertFromUtf32((int)code),
                    string s when PyText.Length(s) == 1 => s,
                    _ => throw TemplateRuntimeError.Type("%c requires int or char"),
                };
            default:
                throw TemplateRuntimeError.Value($"unsupported format character '{type}' (0x{(int)type:x})");
        }
    }

    private static string Signed(bool negative, string digits, string sign) => (negative ? "-" : sign) + digits;

    private static string Pad(string text, int? width, bool left, bool zeros)
    {
        var length = PyText.Length(text);
        if (width is not { } w || w <= length)
        {
            return text;
        }

        if (left)
        {
            return text + new string(' ', w - length);
        }

        if (zeros)
        {
            var signLength = text.Length > 0 && text[0] is '-' or '+' or ' ' ? 1 : 0;
            if (text.Length > signLength + 1 && text[signLength] == '0' && text[signLength + 1] is 'x' or 'X' or 'o')
            {
                signLength += 2;
            }

            return text[..signLength] + new string('0', w - length) + text[signLength..];
        }

        return new string(' ', w - length) + text;
    }
}

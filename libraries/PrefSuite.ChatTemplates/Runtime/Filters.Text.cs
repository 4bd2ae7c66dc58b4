using System.Text;

namespace PrefSuite.ChatTemplates.Runtime;

internal static partial class Filters
{
    private static object? Format(object? value, CallArgs args, Scope scope)
    {
        if (args.Positional.Count > 0 && args.Keywords.Count > 0)
        {
            throw new TemplateRuntimeError("FilterArgumentError", "can't handle positional and keyword arguments at the same time");
        }

        object? values;
        if (args.Keywords.Count > 0)
        {
            var mapping = new PyDict();
            foreach (var (key, item) in args.Keywords)
            {
                mapping.Set(key, item);
            }

            values = mapping;
        }
        else
        {
            values = new PyList([.. args.Positional], isTuple: true);
        }

        return PyFormat.Printf(Py.Str(value), values);
    }

    /// <summary>Jinja2's indent: every line but the first (and blank lines unless blank=true) gets the indentation.</summary>
    private static object? Indent(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("indent", 0, "width", "first", "blank");
        var width = bound[0] is Missing ? 4L : bound[0];
        var indentation = Py.AsText(width) ?? new string(' ', (int)Math.Clamp(Py.AsIndex(width, "width"), 0, 10_000));
        var first = bound[1] is not Missing && Py.Truthy(bound[1]);
        var blank = bound[2] is not Missing && Py.Truthy(bound[2]);
        var text = value switch
        {
            string or Markup => Py.AsText(value)!,
            Undefined undefined => throw undefined.Fail(),
            _ => throw TemplateRuntimeError.Type($"unsupported operand type(s) for +=: '{Py.TypeName(value)}' and 'str'"),
        };
        var lines = StringSplitting.SplitLines(text + "\n", keepEnds: false).Cast<string>().ToList();
        string result;
        if (blank)
        {
            result = string.Join("\n" + indentation, lines);
        }
        else
        {
            var builder = new StringBuilder(lines[0]);
            foreach (var line in lines.Skip(1))
            {
                builder.Append('\n').Append(line.Length > 0 ? indentation + line : line);
            }

            result = builder.ToString();
        }

        return first ? indentation + result : result;
    }

    private static object? Truncate(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("truncate", 0, "length", "killwords", "end", "leeway");
        var length = bound[0] is Missing ? 255 : (int)Py.AsIndex(bound[0], "length");
        var killWords = bound[1] is not Missing && Py.Truthy(bound[1]);
        var end = bound[2] is Missing ? "..." : Py.Str(bound[2]);
        var leeway = bound[3] is Missing or null ? 5 : (int)Py.AsIndex(bound[3], "leeway");
        if (length < PyText.Length(end) || leeway < 0)
        {
            throw new TemplateRuntimeError("AssertionError", $"expected length >= {PyText.Length(end)}, got {length}");
        }

        if (Py.Length(value) <= length + leeway)
        {
            return value;
        }

        var text = Py.AsText(value) ?? throw TemplateRuntimeError.Unsupported($"truncate of a {Py.TypeName(value)}");

        var head = text[..PyText.Offset(text, length - PyText.Length(end))];
        if (killWords)
        {
            return head + end;
        }

        var space = head.LastIndexOf(' ');
        return (space < 0 ? head : head[..space]) + end;
    }

    private static object? ToInt(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("int", 0, "default", "base");
        var fallback = bound[0] is Missing ? 0L : bound[0];
        var numberBase = bound[1] is Missing ? 10 : (int)Py.AsIndex(bound[1], "base");
        switch (value)
        {
            case Undefined undefined:
                throw undefined.Fail();
            case bool or long:
                return Py.AsLong(value);
            case double d:
                return IntegerOfFloat(d, fallback);
            case string or Markup:
                var text = Py.AsText(value)!;
                if (PyNumbers.TryParseInt(text, numberBase, out var parsed))
                {
                    return parsed;
                }

                return PyNumbers.TryParseFloat(text, out var asFloat) ? IntegerOfFloat(asFloat, fallback) : fallback;
            default:
                return fallback;
        }
    }

    private static object? IntegerOfFloat(double value, object? fallback)
    {
        if (double.IsNaN(value))
        {
            return fallback;
        }

        if (double.IsInfinity(value))
        {
            throw new TemplateRuntimeError("OverflowError", "cannot convert float infinity to integer");
        }

        return Math.Abs(value) < 9.2e18 ? (long)Math.Truncate(value) : throw TemplateRuntimeError.Unsupported("integers beyond 64 bits (Python's are unbounded)");
    }

    private static object? ToFloat(object? value, CallArgs args, Scope scope)
    {
        var fallback = args.Bind("float", 0, "default")[0] is var given and not Missing ? given : 0.0;
        return value switch
        {
            Undefined undefined => throw undefined.Fail(),
            bool or long or double => Py.AsDouble(value),
            string or Markup => PyNumbers.TryParseFloat(Py.AsText(value)!, out var parsed) ? parsed : fallback,
            _ => fallback,
        };
    }

    private static object? Round(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("round", 0, "precision", "method");
        var precision = bound[0] is Missing ? 0L : Py.AsIndex(bound[0], "precision");
        var method = bound[1] is Missing ? "common" : Py.Str(bound[1]);
        if (value is Undefined undefined)
        {
            throw undefined.Fail();
        }

        if (!Py.IsNumber(value))
        {
            throw TemplateRuntimeError.Type($"type {Py.TypeName(value)} doesn't define __round__ method");
        }

        switch (method)
        {
            case "common" when Py.IsInteger(value):
                if (precision >= 0)
                {
                    return Py.AsLong(value);
                }

                var rounded = ExactDecimal.RoundTo(Py.AsLong(value), precision);
                return (long)rounded;
            case "common":
                return ExactDecimal.RoundTo((double)value!, precision);
            case "ceil" or "floor":
                var scale = Py.Power(10L, precision);
                var scaled = Py.AsDouble(Py.Multiply(value, scale));
                var whole = method == "ceil" ? Math.Ceiling(scaled) : Math.Floor(scaled);
                return Py.Divide(whole, scale);
            default:
                throw new TemplateRuntimeError("FilterArgumentError", "method must be common, ceil or floor");
        }
    }

    /// <summary>transformers' tojson: json.dumps(value, ensure_ascii=False, indent, separators, sort_keys).</summary>
    private static object? ToJson(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("tojson", 0, "ensure_ascii", "indent", "separators", "sort_keys");
        var ensureAscii = bound[0] is not Missing && Py.Truthy(bound[0]);
        string? indent = bound[1] switch
        {
            Missing or null => null,
            string text => text,
            bool or long => new string(' ', (int)Math.Clamp(Py.AsLong(bound[1]), 0, 10_000)),
            var other => throw TemplateRuntimeError.Type($"can't multiply sequence by non-int of type '{Py.TypeName(other)}'"),
        };
        var (itemSeparator, keySeparator) = indent is null ? (", ", ": ") : (",", ": ");
        if (bound[2] is not (Missing or null))
        {
            var parts = Py.Iterate(bound[2]);
            if (parts.Count != 2 || Py.AsText(parts[0]) is not { } item || Py.AsText(parts[1]) is not { } key)
            {
                throw TemplateRuntimeError.Type("separators must be a pair of strings");
            }

            (itemSeparator, keySeparator) = (item, key);
        }

        var sortKeys = bound[3] is not Missing && Py.Truthy(bound[3]);
        return JsonDumps.Dumps(value, ensureAscii, indent, itemSeparator, keySeparator, sortKeys);
    }
}

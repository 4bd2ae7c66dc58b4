namespace PrefSuite.ChatTemplates.Runtime;

internal static partial class Py
{
    /// <summary>Python's ==, including Jinja2's Undefined (equal only to another Undefined).</summary>
    public static bool Equal(object? left, object? right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left is Undefined || right is Undefined)
        {
            return left is Undefined && right is Undefined;
        }

        if (left is null || right is null)
        {
            return false;
        }

        if (IsNumber(left) && IsNumber(right))
        {
            return IsInteger(left) && IsInteger(right)
                ? AsLong(left) == AsLong(right)
                : NumbersEqual(AsNumberForCompare(left), AsNumberForCompare(right));
        }

        if (AsText(left) is { } a && AsText(right) is { } b)
        {
            return string.Equals(a, b, StringComparison.Ordinal);
        }

        return (left, right) switch
        {
            (PyList x, PyList y) => x.IsTuple == y.IsTuple && x.Count == y.Count && x.Items.Zip(y.Items).All(p => Equal(p.First, p.Second)),
            (PyDict x, PyDict y) => x.Count == y.Count && x.Items.All(p => y.TryGetValue(p.Key, out var v) && Equal(p.Value, v)),
            (PyRange x, PyRange y) => x.Count == y.Count && (x.Count == 0 || (x.Start == y.Start && (x.Count == 1 || x.Step == y.Step))),
            _ => false,
        };
    }

    private static (long? Integer, double Float) AsNumberForCompare(object value) =>
        IsInteger(value) ? (AsLong(value), AsLong(value)) : (null, (double)value);

    private static bool NumbersEqual((long? Integer, double Float) x, (long? Integer, double Float) y)
    {
        if (x.Integer is { } i && y.Integer is null)
        {
            return FloatEqualsInteger(y.Float, i);
        }

        if (y.Integer is { } j && x.Integer is null)
        {
            return FloatEqualsInteger(x.Float, j);
        }

        return x.Float == y.Float;
    }

    private static bool FloatEqualsInteger(double value, long integer) =>
        Math.Floor(value) == value && value >= -9.223372036854775808e18 && value < 9.223372036854775808e18 && (long)value == integer;

    /// <summary>Python's &lt;, &lt;=, &gt;, &gt;= (op is one of those four).</summary>
    public static bool Ordered(string op, object? left, object? right)
    {
        if (left is Undefined u)
        {
            throw u.Fail();
        }

        if (right is Undefined v)
        {
            throw v.Fail();
        }

        if (IsNumber(left) && IsNumber(right))
        {
            if (IsInteger(left) && IsInteger(right))
            {
                return Holds(op, AsLong(left).CompareTo(AsLong(right)));
            }

            var a = AsDouble(left);
            var b = AsDouble(right);
            return op switch
            {
                "<" => a < b,
                "<=" => a <= b,
                ">" => a > b,
                _ => a >= b,
            };
        }

        if (AsText(left) is { } x && AsText(right) is { } y)
        {
            return Holds(op, CompareCodePoints(x, y));
        }

        if (left is PyList l && right is PyList r && l.IsTuple == r.IsTuple)
        {
            var common = Math.Min(l.Count, r.Count);
            for (var i = 0; i < common; i++)
            {
                if (!Equal(l.Items[i], r.Items[i]))
                {
                    return Ordered(op, l.Items[i], r.Items[i]);
                }
            }

            return Holds(op, l.Count.CompareTo(r.Count));
        }

        throw TemplateRuntimeError.Type($"'{op}' not supported between instances of '{TypeName(left)}' and '{TypeName(right)}'");
    }

    private static bool Holds(string op, int comparison) => op switch
    {
        "<" => comparison < 0,
        "<=" => comparison <= 0,
        ">" => comparison > 0,
        _ => comparison >= 0,
    };

    /// <summary>Orders strings by code point, as Python does (UTF-16 order differs above U+FFFF).</summary>
    public static int CompareCodePoints(string left, string right)
    {
        var common = Math.Min(left.Length, right.Length);
        for (var i = 0; i < common; i++)
        {
            var a = left[i];
            var b = right[i];
            if (a != b)
            {
                var aSurrogate = char.IsSurrogate(a);
                var bSurrogate = char.IsSurrogate(b);
                return aSurrogate == bSurrogate ? a.CompareTo(b) : aSurrogate ? 1 : -1;
            }
        }

        return left.Length.CompareTo(right.Length);
    }

    /// <summary>Python's <c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case Undefined:
                return false;
            case string or Markup:
                var text = AsText(container)!;
                return AsText(item) is { } part
                    ? text.Contains(part, StringComparison.Ordinal)
                    : throw TemplateRuntimeError.Type($"'in <string>' requires string as left operand, not {TypeName(item)}");
            case PyList list:
                return list.Items.Exists(element => Equal(element, item));
            case PyDict dict:
                return dict.ContainsKey(item);
            case PyView { Kind: "keys" } keys:
                return keys.Dict.ContainsKey(item);
            case PyView view:
                return view.ToList().Exists(element => Equal(element, item));
            case PyRange range:
                return IsNumber(item) && range.ToList().Exists(element => Equal(element, item));
            case PyIterator iterator:
                while (iterator.TryNext(out var element))
                {
                    if (Equal(element, item))
                    {
                        return true;
                    }
                }

                return false;
            default:
                throw TemplateRuntimeError.Type($"argument of type '{TypeName(container)}' is not iterable");
        }
    }
}

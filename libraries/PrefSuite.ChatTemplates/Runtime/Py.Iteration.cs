namespace PrefSuite.ChatTemplates.Runtime;

internal static partial class Py
{
    /// <summary>The items a for loop (or list()) sees: list items, dict keys, str code points; Undefined is empty.</summary>
    public static List<object?> Iterate(object? value) => value switch
    {
        PyList list => list.Items,
        PyDict dict => [.. dict.Keys],
        string s => [.. PyText.Characters(s)],
        Markup m => [.. PyText.Characters(m.Value)],
        Undefined => [],
        PyRange range => range.ToList(),
        PyIterator iterator => iterator.Drain(),
        PyView view => view.ToList(),
        _ => throw TemplateRuntimeError.Type($"'{TypeName(value)}' object is not iterable"),
    };

    /// <summary>Python's len(value).</summary>
    public static int Length(object? value) => value switch
    {
        string s => PyText.Length(s),
        Markup m => PyText.Length(m.Value),
        PyList list => list.Count,
        PyDict dict => dict.Count,
        Undefined => 0,
        PyRange range => range.Count,
        PyView view => view.Dict.Count,
        LoopContext loop => loop.Length,
        _ => throw TemplateRuntimeError.Type($"object of type '{TypeName(value)}' has no len()"),
    };

    /// <summary>Python's iter(value) succeeds (Jinja2's "iterable" test).</summary>
    public static bool IsIterable(object? value) =>
        value is PyList or PyDict or string or Markup or Undefined or PyRange or PyIterator or PyView or LoopContext;

    /// <summary>Python's <c>sequence[index]</c> on a list, tuple, str or range; false when out of range.</summary>
    public static bool TryIndex(object? sequence, long index, out object? item)
    {
        item = null;
        switch (sequence)
        {
            case PyList list:
                if (!Normalize(ref index, list.Count))
                {
                    return false;
                }

                item = list.Items[(int)index];
                return true;
            case PyRange range:
                if (!Normalize(ref index, range.Count))
                {
                    return false;
                }

                item = range[(int)index];
                return true;
            case string or Markup:
                var text = AsText(sequence)!;
                if (!PyText.HasSurrogates(text))
                {
                    if (!Normalize(ref index, text.Length))
                    {
                        return false;
                    }

                    item = Rewrap(sequence, text[(int)index].ToString());
                    return true;
                }

                var characters = PyText.Characters(text);
                if (!Normalize(ref index, characters.Count))
                {
                    return false;
                }

                item = Rewrap(sequence, characters[(int)index]);
                return true;
            default:
                return false;
        }
    }

    private static bool Normalize(ref long index, int count)
    {
        if (index < 0)
        {
            index += count;
        }

        return index >= 0 && index < count;
    }

    /// <summary>A str result keeps the Markup-ness of its source, as markupsafe's methods do.</summary>
    public static object Rewrap(object? source, string text) => source is Markup ? new Markup(text) : text;

    /// <summary>Python's <c>sequence[start:stop:step]</c>; null when the sequence or the bounds do not allow it.</summary>
    public static object? Slice(object? sequence, object? start, object? stop, object? step)
    {
        if (!IsSliceBound(start) || !IsSliceBound(stop) || !IsSliceBound(step))
        {
            return null;
        }

        var stepValue = step is null ? 1 : AsLong(step);
        if (stepValue == 0)
        {
            throw TemplateRuntimeError.Value("slice step cannot be zero");
        }

        switch (sequence)
        {
            case PyList list:
                return new PyList(Pick(list.Items, start, stop, stepValue), list.IsTuple);
            case PyRange range:
                var (first, last) = Bounds(range.Count, start, stop, stepValue);
                return new PyRange(range.Start + (first * range.Step), range.Start + (last * range.Step), range.Step * stepValue);
            case string or Markup:
                var text = AsText(sequence)!;
                if (!PyText.HasSurrogates(text) && stepValue == 1)
                {
                    var (from, to) = Bounds(text.Length, start, stop, 1);
                    return Rewrap(sequence, to > from ? text[(int)from..(int)to] : "");
                }

                var picked = Pick([.. PyText.Characters(text)], start, stop, stepValue);
                return Rewrap(sequence, string.Concat(picked.Cast<string>()));
            default:
                return null;
        }
    }

    private static bool IsSliceBound(object? value) => value is null or long or bool;

    private static List<object?> Pick(List<object?> items, object? start, object? stop, long step)
    {
        var (from, to) = Bounds(items.Count, start, stop, step);
        var picked = new List<object?>();
        if (step > 0)
        {
            for (var i = from; i < to; i += step)
            {
                picked.Add(items[(int)i]);
            }
        }
        else
        {
            for (var i = from; i > to; i += step)
            {
                picked.Add(items[(int)i]);
            }
        }

        return picked;
    }

    /// <summary>slice.indices(length): clamps start and stop the way Python does for the step's direction.</summary>
    private static (long Start, long Stop) Bounds(int length, object? start, object? stop, long step)
    {
        long Clamp(object? bound, long whenNone)
        {
            if (bound is null)
            {
                return whenNone;
            }

            var value = AsLong(bound);
            if (value < 0)
            {
                value += length;
                if (value < 0)
                {
                    value = step < 0 ? -1 : 0;
                }
            }
            else if (value >= length)
            {
                value = step < 0 ? length - 1 : length;
            }

            return value;
        }

        return step > 0 ? (Clamp(start, 0), Clamp(stop, length)) : (Clamp(start, length - 1), Clamp(stop, -1));
    }
}

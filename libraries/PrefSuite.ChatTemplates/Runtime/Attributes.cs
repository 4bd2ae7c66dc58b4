namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Jinja2's sandboxed getattr and getitem: <c>x.name</c> tries the attribute then the item, <c>x[key]</c> the
/// item then (for string keys) the attribute; what neither finds is undefined.</summary>
internal static class Attributes
{
    /// <summary><c>value.name</c>.</summary>
    public static object? GetAttr(object? value, string name)
    {
        if (value is Undefined undefined)
        {
            throw undefined.Fail();
        }

        if (IsDunder(name))
        {
            return Undefined.Unsafe(value, name);
        }

        return value switch
        {
            PyDict dict => Methods.OfDict(dict, name) ?? (dict.TryGetValue(name, out var item) ? item : Undefined.Attribute(value, name)),
            _ => AttributeOnly(value, name),
        };
    }

    /// <summary><c>value[key]</c>.</summary>
    public static object? GetItem(object? value, object? key)
    {
        if (value is Undefined undefined)
        {
            throw undefined.Fail();
        }

        if (key is PySlice slice)
        {
            return Slice(value, slice);
        }

        switch (value)
        {
            case PyDict dict:
                if (IsHashable(key) && dict.TryGetValue(key, out var item))
                {
                    return item;
                }

                break;
            case PyList or PyRange or string or Markup when key is long or bool:
                return Py.TryIndex(value, Py.AsLong(key), out var element) ? element : Undefined.Element(value, key);
        }

        if (key is string name)
        {
            return IsDunder(name) ? Undefined.Unsafe(value, name) : AttributeOnly(value, name);
        }

        return Undefined.Element(value, key);
    }

    /// <summary><c>value[start:stop:step]</c>: Jinja2 compiles slices to plain Python subscripts, so errors are not
    /// softened to undefined here.</summary>
    private static object? Slice(object? value, PySlice slice)
    {
        switch (value)
        {
            case Undefined undefined:
                throw undefined.Fail();
            case PyList or PyRange or string or Markup:
                if (slice.Start is not (null or long or bool) || slice.Stop is not (null or long or bool) || slice.Step is not (null or long or bool))
                {
                    throw TemplateRuntimeError.Type("slice indices must be integers or None or have an __index__ method");
                }

                return Py.Slice(value, slice.Start, slice.Stop, slice.Step);
            case PyDict:
                throw TemplateRuntimeError.Type("unhashable type: 'slice'");
            default:
                throw TemplateRuntimeError.Type($"'{Py.TypeName(value)}' object is not subscriptable");
        }
    }

    /// <summary>Python's getattr alone (the <c>attr</c> filter): methods and object attributes, never dict items.</summary>
    public static object? AttributeOnly(object? value, string name)
    {
        if (value is Undefined undefined)
        {
            throw undefined.Fail();
        }

        return value switch
        {
            PyDict dict => Methods.OfDict(dict, name) ?? Undefined.Attribute(value, name),
            string or Markup => Methods.OfString(value, name) ?? Undefined.Attribute(value, name),
            PyList list => Methods.OfList(list, name) ?? Undefined.Attribute(value, name),
            Namespace ns => ns.Attributes.TryGetValue(name, out var attribute) ? attribute : Undefined.Attribute(value, name),
            LoopContext loop => loop.GetAttribute(name),
            Cycler cycler => cycler.GetAttribute(name),
            Macro macro => MacroAttribute(macro, name),
            PyRange range => name switch
            {
                "start" => range.Start,
                "stop" => range.Stop,
                "step" => range.Step,
                _ => Undefined.Attribute(value, name),
            },
            bool or long or double when NumberAttributes.Contains(name) =>
                throw TemplateRuntimeError.Unsupported($"the '{name}' attribute of a number"),
            _ => Undefined.Attribute(value, name),
        };
    }

    private static readonly HashSet<string> NumberAttributes =
    [
        "real", "imag", "numerator", "denominator", "conjugate", "bit_length", "bit_count", "to_bytes", "from_bytes",
        "as_integer_ratio", "is_integer", "hex", "fromhex",
    ];

    private static object? MacroAttribute(Macro macro, string name) => name switch
    {
        "name" => macro.Name,
        "arguments" => new PyList([.. macro.Definition.Parameters], isTuple: true),
        "catch_kwargs" => macro.Definition.CatchKwargs,
        "catch_varargs" => macro.Definition.CatchVarargs,
        "caller" => macro.Definition.UsesCaller,
        _ => Undefined.Attribute(macro, name),
    };

    private static bool IsDunder(string name) => name.Length > 4 && name.StartsWith("__", StringComparison.Ordinal) && name.EndsWith("__", StringComparison.Ordinal);

    private static bool IsHashable(object? key) => key is not (PyList { IsTuple: false } or PyDict or PyIterator or PyView);
}

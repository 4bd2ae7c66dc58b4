namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>The filters this renderer implements, with Jinja2 3.1's semantics; transformers' tojson replaces Jinja2's.</summary>
internal static partial class Filters
{
    public delegate object? Function(object? value, CallArgs args, Scope scope);

    /// <summary>Every filter Jinja2 3.1 defines, implemented or not (for the "filter" test).</summary>
    public static readonly HashSet<string> JinjaNames =
    [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
        "filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent", "int", "items", "join", "last",
        "length", "list", "lower", "map", "max", "min", "pprint", "random", "reject", "rejectattr", "replace", "reverse",
        "round", "safe", "select", "selectattr", "slice", "sort", "string", "striptags", "sum", "title", "tojson", "trim",
        "truncate", "unique", "upper", "urlencode", "urlize", "wordcount", "wordwrap", "xmlattr",
    ];

    private static readonly Dictionary<string, Function> Registry = new(StringComparer.Ordinal)
    {
        ["abs"] = Abs,
        ["attr"] = (value, args, _) => Attributes.AttributeOnly(value, Py.Str(args.Bind("attr", 1, "name")[0])),
        ["batch"] = Batch,
        ["capitalize"] = (value, args, _) => NoArguments(args, "capitalize", PyText.Capitalize(Py.Str(value))),
        ["center"] = Center,
        ["count"] = Length,
        ["d"] = Default,
        ["default"] = Default,
        ["dictsort"] = DictSort,
        ["first"] = First,
        ["float"] = ToFloat,
        ["format"] = Format,
        ["indent"] = Indent,
        ["int"] = ToInt,
        ["items"] = Items,
        ["join"] = Join,
        ["last"] = Last,
        ["length"] = Length,
        ["list"] = (value, args, _) => NoArguments(args, "list", new PyList([.. Py.Iterate(value)])),
        ["lower"] = (value, args, _) => NoArguments(args, "lower", PyText.Lower(Py.Str(value))),
        ["map"] = Map,
        ["max"] = (value, args, scope) => MinOrMax(value, args, scope, "max"),
        ["min"] = (value, args, scope) => MinOrMax(value, args, scope, "min"),
        ["reject"] = (value, args, scope) => SelectOrReject(value, args, scope, keep: false, byAttribute: false),
        ["rejectattr"] = (value, args, scope) => SelectOrReject(value, args, scope, keep: false, byAttribute: true),
        ["replace"] = Replace,
        ["reverse"] = Reverse,
        ["round"] = Round,
        ["safe"] = (value, args, _) => NoArguments(args, "safe", value as Markup ?? new Markup(Py.Str(value))),
        ["select"] = (value, args, scope) => SelectOrReject(value, args, scope, keep: true, byAttribute: false),
        ["selectattr"] = (value, args, scope) => SelectOrReject(value, args, scope, keep: true, byAttribute: true),
        ["sort"] = Sort,
        ["string"] = (value, args, _) => NoArguments(args, "string", value as Markup ?? (object)Py.Str(value)),
        ["sum"] = Sum,
        ["title"] = (value, args, _) => NoArguments(args, "title", Title(Py.Str(value))),
        ["tojson"] = ToJson,
        ["trim"] = Trim,
        ["truncate"] = Truncate,
        ["unique"] = Unique,
        ["upper"] = (value, args, _) => NoArguments(args, "upper", PyText.Upper(Py.Str(value))),
        ["wordcount"] = (value, args, _) => NoArguments(args, "wordcount", WordCount(Py.Str(value))),
    };

    public static bool TryGet(string name, out Function function) => Registry.TryGetValue(name, out function!);

    /// <summary>A filter looked up by name at render time (map('upper')).</summary>
    public static object? Call(string name, object? value, CallArgs args, Scope scope) =>
        Registry.TryGetValue(name, out var function)
            ? function(value, args, scope)
            : JinjaNames.Contains(name)
                ? throw TemplateRuntimeError.Unsupported($"the '{name}' filter")
                : throw new TemplateRuntimeError("TemplateRuntimeError", $"No filter named '{name}' found.");

    private static object? NoArguments(CallArgs args, string name, object? result)
    {
        args.ExpectNone(name);
        return result;
    }

    private static string Text(object? value, string filter) => Py.AsText(value) ??
        throw TemplateRuntimeError.Type($"{filter}: expected a string, got {Py.TypeName(value)}");

    private static object? Abs(object? value, CallArgs args, Scope scope)
    {
        args.ExpectNone("abs");
        return value switch
        {
            bool or long => Py.AsLong(value) < 0 ? Py.Negate(value) : Py.AsLong(value),
            double d => Math.Abs(d),
            Undefined u => throw u.Fail(),
            _ => throw TemplateRuntimeError.Type($"bad operand type for abs(): '{Py.TypeName(value)}'"),
        };
    }

    private static object? Default(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("default", 0, "default_value", "boolean");
        var fallback = bound[0] is Missing ? "" : bound[0];
        var boolean = bound[1] is not Missing && Py.Truthy(bound[1]);
        return value is Undefined || (boolean && !Py.Truthy(value)) ? fallback : value;
    }

    private static object? Length(object? value, CallArgs args, Scope scope) => NoArguments(args, "length", (long)Py.Length(value));

    private static object? First(object? value, CallArgs args, Scope scope)
    {
        args.ExpectNone("first");
        if (value is PyIterator iterator)
        {
            return iterator.TryNext(out var next) ? next : Undefined.WithHint("No first item, sequence was empty.");
        }

        var items = Py.Iterate(value);
        return items.Count > 0 ? items[0] : Undefined.WithHint("No first item, sequence was empty.");
    }

    private static object? Last(object? value, CallArgs args, Scope scope)
    {
        args.ExpectNone("last");
        if (value is not (PyList or string or Markup or PyDict or PyRange or PyView or Undefined))
        {
            throw TemplateRuntimeError.Type($"'{Py.TypeName(value)}' object is not reversible");
        }

        var items = Py.Iterate(value);
        return items.Count > 0 ? items[^1] : Undefined.WithHint("No last item, sequence was empty.");
    }

    private static object? Join(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("join", 0, "d", "attribute");
        var separator = bound[0] is Missing ? "" : Py.Str(bound[0]);
        var items = Py.Iterate(value);
        if (bound[1] is not (Missing or null))
        {
            var getter = AttributeGetter(bound[1], null);
            items = items.Select(getter).ToList();
        }

        return string.Join(separator, items.Select(Py.Str));
    }

    private static object? Trim(object? value, CallArgs args, Scope scope)
    {
        var chars = args.Bind("trim", 0, "chars")[0];
        return PyText.Strip(Py.Str(value), chars is Missing or null ? null : Text(chars, "trim"));
    }

    private static object? Replace(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("replace", 2, "old", "new", "count");
        var count = bound[2] is Missing or null ? -1 : Py.AsIndex(bound[2], "count");
        return StringSplitting.Replace(Py.Str(value), Py.Str(bound[0]), Py.Str(bound[1]), count);
    }

    private static object? Reverse(object? value, CallArgs args, Scope scope)
    {
        args.ExpectNone("reverse");
        if (Py.IsString(value))
        {
            return Py.Slice(value, null, null, -1L)!;
        }

        var reversed = Enumerable.Reverse(Py.Iterate(value)).ToList();
        return value switch
        {
            PyList { IsTuple: false } => new PyIterator("list_reverseiterator", reversed),
            PyList or Undefined => new PyIterator("reversed", reversed),
            PyDict or PyView { Kind: "keys" } => new PyIterator("dict_reversekeyiterator", reversed),
            PyView view => new PyIterator($"dict_reverse{view.Kind[..^1]}iterator", reversed),
            PyRange => new PyIterator("range_iterator", reversed),
            _ => new PyList(reversed),
        };
    }

    private static object? Items(object? value, CallArgs args, Scope scope)
    {
        args.ExpectNone("items");
        return value switch
        {
            Undefined => new PyIterator("generator", []),
            PyDict dict => new PyIterator("dict_itemiterator", new PyView(dict, "items").ToList()),
            _ => throw TemplateRuntimeError.Type("Can only get item pairs from a mapping."),
        };
    }

    private static object? Center(object? value, CallArgs args, Scope scope)
    {
        var width = args.Bind("center", 0, "width")[0];
        return Methods.Pad(Py.Str(value), width is Missing ? 80 : (int)Math.Min(Py.AsIndex(width, "width"), 1_000_000), " ", "center");
    }

    private static object? WordCount(string text)
    {
        var count = 0L;
        var inWord = false;
        foreach (var rune in text.EnumerateRunes())
        {
            var word = System.Text.Rune.IsLetterOrDigit(rune) || rune.Value == '_';
            if (word && !inWord)
            {
                count++;
            }

            inWord = word;
        }

        return count;
    }

    /// <summary>Jinja2's title filter: capitalises after "-", whitespace and opening brackets.</summary>
    private static string Title(string text)
    {
        static bool Delimiter(int code) => code is '-' or '(' or '{' or '[' or '<' || PyText.IsSpace(code);
        var builder = new System.Text.StringBuilder(text.Length);
        var codes = PyText.CodePoints(text);
        var start = 0;
        while (start < codes.Length)
        {
            var delimiter = Delimiter(codes[start]);
            var end = start + 1;
            while (end < codes.Length && Delimiter(codes[end]) == delimiter)
            {
                end++;
            }

            var first = PyText.FromCodePoints([codes[start]]);
            builder.Append(PyText.Upper(first)).Append(PyText.Lower(PyText.FromCodePoints(codes[(start + 1)..end])));
            start = end;
        }

        return builder.ToString();
    }
}

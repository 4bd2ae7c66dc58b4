namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>The global functions a chat template sees: Jinja2's (range, dict, namespace, cycler, joiner) and
/// transformers' (raise_exception, strftime_now).</summary>
internal static class Globals
{
    /// <summary>The sandbox refuses longer ranges (jinja2.sandbox.MAX_RANGE).</summary>
    private const long MaxRange = 100_000;

    public static Scope CreateScope(RenderState state)
    {
        var scope = new Scope(state, parent: null);
        scope.Set("range", new BuiltinFunction("range", (args, _) => Range(args)));
        scope.Set("dict", new BuiltinFunction("dict", (args, _) => Dict(args)));
        scope.Set("namespace", new BuiltinFunction("namespace", (args, _) => CreateNamespace(args)));
        scope.Set("cycler", new BuiltinFunction("cycler", (args, _) => args.Keywords.Count == 0
            ? new Cycler(args.Positional)
            : throw TemplateRuntimeError.Type("cycler() takes no keyword arguments")));
        scope.Set("joiner", new BuiltinFunction("joiner", (args, _) =>
        {
            var separator = args.Bind("joiner", 0, "sep")[0];
            return new Joiner(separator is Missing ? ", " : Py.Str(separator));
        }));
        scope.Set("self", TemplateReference.Instance);
        scope.Set("lipsum", new BuiltinFunction("lipsum", (_, _) => throw TemplateRuntimeError.Unsupported("lipsum() (random text)")));
        scope.Set("raise_exception", new BuiltinFunction("raise_exception", (args, _) =>
            throw new TemplateRuntimeError("TemplateError", Py.Str(args.Bind("raise_exception", 1, "message")[0]))));
        scope.Set("strftime_now", new BuiltinFunction("strftime_now", (args, state) =>
        {
            var format = Py.AsText(args.Bind("strftime_now", 1, "format")[0]) ?? throw TemplateRuntimeError.Type("strftime() argument 1 must be str");
            return Strftime.Format(state.Clock.GetLocalNow().DateTime, format);
        }));
        return scope;
    }

    private static PyRange Range(CallArgs args)
    {
        if (args.Keywords.Count > 0)
        {
            throw TemplateRuntimeError.Type("range() takes no keyword arguments");
        }

        var numbers = args.Positional.Select(value => Py.AsIndex(value, "range() argument")).ToList();
        var (start, stop, step) = numbers.Count switch
        {
            1 => (0L, numbers[0], 1L),
            2 => (numbers[0], numbers[1], 1L),
            3 => (numbers[0], numbers[1], numbers[2]),
            _ => throw TemplateRuntimeError.Type($"range expected at most 3 arguments, got {numbers.Count}"),
        };
        if (step == 0)
        {
            throw TemplateRuntimeError.Value("range() arg 3 must not be zero");
        }

        var range = new PyRange(start, stop, step);
        return range.Count > MaxRange
            ? throw new TemplateRuntimeError("OverflowError", $"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).")
            : range;
    }

    /// <summary>dict(mapping_or_pairs, **kwargs).</summary>
    private static PyDict Dict(CallArgs args)
    {
        if (args.Positional.Count > 1)
        {
            throw TemplateRuntimeError.Type($"dict expected at most 1 argument, got {args.Positional.Count}");
        }

        var dict = new PyDict();
        if (args.Positional.Count == 1)
        {
            Fill(dict, args.Positional[0]);
        }

        foreach (var (key, value) in args.Keywords)
        {
            dict.Set(key, value);
        }

        return dict;
    }

    private static void Fill(PyDict dict, object? source)
    {
        if (source is PyDict mapping)
        {
            foreach (var (key, value) in mapping.Items)
            {
                dict.Set(key, value);
            }

            return;
        }

        foreach (var pair in Py.Iterate(source))
        {
            var items = Py.Iterate(pair);
            if (items.Count != 2)
            {
                throw TemplateRuntimeError.Value($"dictionary update sequence element has length {items.Count}; 2 is required");
            }

            dict.Set(items[0], items[1]);
        }
    }

    private static Namespace CreateNamespace(CallArgs args)
    {
        var attributes = Dict(args);
        var ns = new Namespace();
        foreach (var (key, value) in attributes.Items)
        {
            ns.Attributes[Py.AsText(key) ?? throw TemplateRuntimeError.Type("keywords must be strings")] = value;
        }

        return ns;
    }
}

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>The methods of dict, list and str that templates call. Mutating methods are hidden, as the immutable
/// sandbox hides them; a Python method this renderer does not implement fails when called.</summary>
internal static partial class Methods
{
    private static readonly HashSet<string> DictMutators = ["clear", "pop", "popitem", "setdefault", "update"];
    private static readonly HashSet<string> ListMutators = ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"];

    /// <summary>A method of <paramref name="dict"/>, an unsafe undefined for a mutator, or null when dict has no such attribute.</summary>
    public static object? OfDict(PyDict dict, string name)
    {
        if (DictMutators.Contains(name))
        {
            return Undefined.Unsafe(dict, name);
        }

        return name switch
        {
            "get" => Method(dict, name, args =>
            {
                var bound = args.BindPositional("get", 1, "key", "default");
                return dict.TryGetValue(bound[0], out var value) ? value : bound[1] is Missing ? null : bound[1];
            }),
            "keys" => Method(dict, name, args => NoArguments(args, name, new PyView(dict, "keys"))),
            "values" => Method(dict, name, args => NoArguments(args, name, new PyView(dict, "values"))),
            "items" => Method(dict, name, args => NoArguments(args, name, new PyView(dict, "items"))),
            "copy" => Method(dict, name, args =>
            {
                args.ExpectNone(name);
                var copy = new PyDict();
                foreach (var (key, value) in dict.Items)
                {
                    copy.Set(key, value);
                }

                return copy;
            }),
            "fromkeys" => NotImplemented(dict, name),
            _ => null,
        };
    }

    /// <summary>A method of a list or tuple, an unsafe undefined for a mutator, or null.</summary>
    public static object? OfList(PyList list, string name)
    {
        if (!list.IsTuple && ListMutators.Contains(name))
        {
            return Undefined.Unsafe(list, name);
        }

        return name switch
        {
            "count" => Method(list, name, args =>
            {
                var value = args.BindPositional("count", 1, "value")[0];
                return (long)list.Items.Count(item => Py.Equal(item, value));
            }),
            "index" => Method(list, name, args =>
            {
                var bound = args.BindPositional("index", 1, "value", "start", "stop");
                var start = bound[1] is Missing ? 0 : (int)Math.Clamp(Py.AsIndex(bound[1], "start"), 0, list.Count);
                var stop = bound[2] is Missing ? list.Count : (int)Math.Clamp(Py.AsIndex(bound[2], "stop"), 0, list.Count);
                for (var i = start; i < stop; i++)
                {
                    if (Py.Equal(list.Items[i], bound[0]))
                    {
                        return (long)i;
                    }
                }

                throw TemplateRuntimeError.Value($"{Py.Repr(bound[0])} is not in list");
            }),
            "copy" when !list.IsTuple => Method(list, name, args => NoArguments(args, name, new PyList([.. list.Items]))),
            _ => null,
        };
    }

    private static BoundMethod Method(object receiver, string name, Func<CallArgs, object?> body) =>
        new(receiver, name, (args, _) => body(args));

    private static BoundMethod NotImplemented(object receiver, string name) =>
        new(receiver, name, (_, _) => throw TemplateRuntimeError.Unsupported($"the {Py.TypeName(receiver)}.{name}() method"));

    private static object? NoArguments(CallArgs args, string name, object? result)
    {
        args.ExpectNone(name);
        return result;
    }
}

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>The positional and keyword arguments of one call, bound to parameter names the way Python binds them.</summary>
internal sealed class CallArgs
{
    public static readonly CallArgs None = new([], []);

    public CallArgs(IReadOnlyList<object?> positional, IReadOnlyList<KeyValuePair<string, object?>> keywords)
    {
        Positional = positional;
        Keywords = keywords;
    }

    public IReadOnlyList<object?> Positional { get; }

    public IReadOnlyList<KeyValuePair<string, object?>> Keywords { get; }

    /// <summary>Binds to <paramref name="names"/>; the first <paramref name="required"/> must be given. Unbound
    /// parameters hold <see cref="Missing.Value"/>.</summary>
    public object?[] Bind(string function, int required, params string[] names)
    {
        if (Positional.Count > names.Length)
        {
            throw TemplateRuntimeError.Type($"{function}() takes at most {names.Length} argument(s) ({Positional.Count} given)");
        }

        var bound = new object?[names.Length];
        Array.Fill(bound, Missing.Value);
        for (var i = 0; i < Positional.Count; i++)
        {
            bound[i] = Positional[i];
        }

        foreach (var (key, value) in Keywords)
        {
            var index = Array.IndexOf(names, key);
            if (index < 0)
            {
                throw TemplateRuntimeError.Type($"{function}() got an unexpected keyword argument '{key}'");
            }

            if (bound[index] is not Missing)
            {
                throw TemplateRuntimeError.Type($"{function}() got multiple values for argument '{key}'");
            }

            bound[index] = value;
        }

        for (var i = 0; i < required; i++)
        {
            if (bound[i] is Missing)
            {
                throw TemplateRuntimeError.Type($"{function}() missing required argument '{names[i]}'");
            }
        }

        return bound;
    }

    /// <summary><see cref="Bind"/> for Python's positional-only methods (most str, list and dict methods).</summary>
    public object?[] BindPositional(string function, int required, params string[] names) =>
        Keywords.Count > 0 ? throw TemplateRuntimeError.Type($"{function}() takes no keyword arguments") : Bind(function, required, names);

    /// <summary>Fails unless the call has no arguments at all.</summary>
    public void ExpectNone(string function) => Bind(function, 0);

    public CallArgs WithoutLeading(int count) => new([.. Positional.Skip(count)], Keywords);
}

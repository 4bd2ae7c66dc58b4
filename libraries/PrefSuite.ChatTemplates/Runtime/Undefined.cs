namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Jinja2's default Undefined: prints as "", is falsy and iterates as empty; any other use raises UndefinedError.</summary>
internal sealed class Undefined
{
    private readonly string? _hint;
    private readonly string? _name;
    private readonly object? _key;
    private readonly string? _ownerType;
    private readonly bool _unsafe;

    private Undefined(string? hint, string? name, object? key, string? ownerType, bool isUnsafe)
    {
        _hint = hint;
        _name = name;
        _key = key;
        _ownerType = ownerType;
        _unsafe = isUnsafe;
    }

    /// <summary>A variable that no scope defines: "'x' is undefined".</summary>
    public static Undefined Variable(string name) => new(null, name, null, null, false);

    /// <summary>A missing attribute or string key of <paramref name="owner"/>.</summary>
    public static Undefined Attribute(object? owner, string name) => new(null, name, null, Py.ObjectTypeRepr(owner), false);

    /// <summary>A missing non-string key or index of <paramref name="owner"/>.</summary>
    public static Undefined Element(object? owner, object? key) => new(null, null, key, Py.ObjectTypeRepr(owner), false);

    /// <summary>An undefined with its own message, such as "parameter 'x' was not provided".</summary>
    public static Undefined WithHint(string hint) => new(hint, null, null, null, false);

    /// <summary>A method the immutable sandbox hides (list.append, dict.update, ...): using it raises SecurityError.</summary>
    public static Undefined Unsafe(object? owner, string name) =>
        new($"access to attribute '{name}' of '{Py.TypeName(owner)}' object is unsafe.", name, null, null, true);

    public string Message
    {
        get
        {
            if (_hint is not null)
            {
                return _hint;
            }

            if (_ownerType is null)
            {
                return $"'{_name}' is undefined";
            }

            return _name is null
                ? $"{_ownerType} has no element {Py.Repr(_key)}"
                : $"'{_ownerType}' has no attribute '{_name}'";
        }
    }

    /// <summary>The error Jinja2 raises when an undefined value is used for more than printing, testing or iterating.</summary>
    public TemplateRuntimeError Fail() => new(_unsafe ? "SecurityError" : "UndefinedError", Message);
}

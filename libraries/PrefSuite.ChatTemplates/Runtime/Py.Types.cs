namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Python's semantics for template values: types, truth, printing, comparison, arithmetic, iteration.</summary>
/// <remarks>Values are <c>null</c> (None), <see cref="bool"/>, <see cref="long"/> (int), <see cref="double"/> (float),
/// <see cref="string"/> (str), <see cref="PyList"/>, <see cref="PyDict"/> and the runtime's own objects.</remarks>
internal static partial class Py
{
    /// <summary>Python's <c>type(value).__name__</c>.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        Markup => "Markup",
        PyList list => list.IsTuple ? "tuple" : "list",
        PyDict => "dict",
        Undefined => "Undefined",
        Namespace => "Namespace",
        Macro => "Macro",
        LoopContext => "LoopContext",
        PyRange => "range",
        PyIterator iterator => iterator.TypeName,
        PyView view => view.TypeName,
        BoundMethod => "builtin_function_or_method",
        ICallable => "function",
        Cycler => "Cycler",
        TemplateReference => "TemplateReference",
        _ => value.GetType().Name,
    };

    /// <summary>Jinja2's object_type_repr, used in undefined messages: "None" or "dict object".</summary>
    public static string ObjectTypeRepr(object? value) => value is null ? "None" : TypeName(value) + " object";

    /// <summary>Python's bool(value).</summary>
    public static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        Markup m => m.Value.Length > 0,
        PyList list => list.Count > 0,
        PyDict dict => dict.Count > 0,
        Undefined => false,
        PyRange range => range.Count > 0,
        PyView view => view.Dict.Count > 0,
        LoopContext loop => loop.Length > 0,
        _ => true,
    };

    public static bool IsNumber(object? value) => value is bool or long or double;

    public static bool IsInteger(object? value) => value is bool or long;

    public static bool IsString(object? value) => value is string or Markup;

    /// <summary>The text of a str or Markup; null for anything else.</summary>
    public static string? AsText(object? value) => value switch
    {
        string s => s,
        Markup m => m.Value,
        _ => null,
    };

    public static long AsLong(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        _ => throw TemplateRuntimeError.Type($"'{TypeName(value)}' object cannot be interpreted as an integer"),
    };

    public static double AsDouble(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        double d => d,
        _ => throw TemplateRuntimeError.Type($"must be real number, not {TypeName(value)}"),
    };

    /// <summary>Python's index conversion for positions and counts (int or bool).</summary>
    public static long AsIndex(object? value, string what) => value switch
    {
        bool or long => AsLong(value),
        Undefined u => throw u.Fail(),
        _ => throw TemplateRuntimeError.Type($"{what} must be an integer, not {TypeName(value)}"),
    };
}

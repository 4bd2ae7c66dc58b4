namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>The tests of <c>value is name</c>, with Jinja2 3.1's semantics.</summary>
internal static class Tests
{
    public delegate bool Function(object? value, CallArgs args, Scope scope);

    private static readonly Function Equal = WithOther("eq", "b", Py.Equal);

    private static readonly Dictionary<string, Function> Registry = new(StringComparer.Ordinal)
    {
        ["defined"] = Simple("defined", value => value is not Undefined),
        ["undefined"] = Simple("undefined", value => value is Undefined),
        ["none"] = Simple("none", value => value is null),
        ["boolean"] = Simple("boolean", value => value is bool),
        ["false"] = Simple("false", value => value is false),
        ["true"] = Simple("true", value => value is true),
        ["integer"] = Simple("integer", value => value is long),
        ["float"] = Simple("float", value => value is double),
        ["number"] = Simple("number", Py.IsNumber),
        ["string"] = Simple("string", Py.IsString),
        ["mapping"] = Simple("mapping", value => value is PyDict),
        ["iterable"] = Simple("iterable", Py.IsIterable),
        ["sequence"] = Simple("sequence", value => value is PyList or PyDict or string or Markup or PyRange or Undefined),
        ["callable"] = Simple("callable", value => value is ICallable or Undefined),
        ["escaped"] = Simple("escaped", value => value is Markup),
        ["lower"] = Simple("lower", value => PyText.HasOnlyCase(Py.Str(value), lower: true)),
        ["upper"] = Simple("upper", value => PyText.HasOnlyCase(Py.Str(value), lower: false)),
        ["odd"] = Simple("odd", value => Py.Equal(Py.Modulo(IntegerOperand(value), 2L), 1L)),
        ["even"] = Simple("even", value => Py.Equal(Py.Modulo(IntegerOperand(value), 2L), 0L)),
        ["divisibleby"] = WithOther("divisibleby", "num", (value, num) => Py.Equal(Py.Modulo(value, num), 0L)),
        ["sameas"] = WithOther("sameas", "other", SameAs),
        ["in"] = WithOther("in", "seq", (value, seq) => Py.Contains(seq, value)),
        ["filter"] = Simple("filter", value => value is string name && Filters.JinjaNames.Contains(name)),
        ["test"] = Simple("test", value => value is string name && Registry!.ContainsKey(name)),
        ["=="] = Equal,
        ["eq"] = Equal,
        ["equalto"] = Equal,
        ["!="] = WithOther("ne", "b", (a, b) => !Py.Equal(a, b)),
        ["ne"] = WithOther("ne", "b", (a, b) => !Py.Equal(a, b)),
        [">"] = Ordered(">"),
        ["gt"] = Ordered(">"),
        ["greaterthan"] = Ordered(">"),
        [">="] = Ordered(">="),
        ["ge"] = Ordered(">="),
        ["<"] = Ordered("<"),
        ["lt"] = Ordered("<"),
        ["lessthan"] = Ordered("<"),
        ["<="] = Ordered("<="),
        ["le"] = Ordered("<="),
    };

    public static bool TryGet(string name, out Function function) => Registry.TryGetValue(name, out function!);

    /// <summary>A test looked up by name at render time (select('odd')).</summary>
    public static bool Call(string name, object? value, CallArgs args, Scope scope) =>
        Registry.TryGetValue(name, out var function)
            ? function(value, args, scope)
            : throw new TemplateRuntimeError("TemplateRuntimeError", $"No test named '{name}' found.");

    private static Function Simple(string name, Func<object?, bool> test) => (value, args, _) =>
    {
        args.ExpectNone(name);
        return test(value);
    };

    private static Function WithOther(string name, string parameter, Func<object?, object?, bool> test) => (value, args, _) =>
        test(value, args.Bind(name, 1, parameter)[0]);

    private static Function Ordered(string op) => WithOther(op, "b", (a, b) => Py.Ordered(op, a, b));

    private static object? IntegerOperand(object? value) => value is Undefined undefined ? throw undefined.Fail() : value;

    /// <summary>Python's <c>is</c>: identity for objects; the values Python caches (None, booleans, small ints) compare by value.</summary>
    private static bool SameAs(object? value, object? other) => (value, other) switch
    {
        (null, null) => true,
        (bool a, bool b) => a == b,
        (long a, long b) => a == b && a is >= -5 and <= 256,
        _ => ReferenceEquals(value, other),
    };
}

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>The object cycler(a, b, ...) returns: <c>next()</c>, <c>reset()</c>, <c>current</c>.</summary>
internal sealed class Cycler
{
    private readonly IReadOnlyList<object?> _items;
    private int _position;

    public Cycler(IReadOnlyList<object?> items)
    {
        _items = items.Count > 0 ? items : throw TemplateRuntimeError.Type("at least one item has to be provided");
    }

    public object? GetAttribute(string name) => name switch
    {
        "current" => _items[_position],
        "next" => new BoundMethod(this, "next", (args, _) =>
        {
            args.ExpectNone("next");
            var item = _items[_position];
            _position = (_position + 1) % _items.Count;
            return item;
        }),
        "reset" => new BoundMethod(this, "reset", (args, _) =>
        {
            args.ExpectNone("reset");
            _position = 0;
            return null;
        }),
        _ => Undefined.Attribute(this, name),
    };
}

/// <summary>The callable joiner(sep) returns: "" the first time, then the separator.</summary>
internal sealed class Joiner : ICallable
{
    private readonly string _separator;
    private bool _used;

    public Joiner(string separator)
    {
        _separator = separator;
    }

    public string Name => "joiner";

    public object? Call(CallArgs args, RenderState state)
    {
        args.ExpectNone("joiner");
        if (_used)
        {
            return _separator;
        }

        _used = true;
        return "";
    }
}

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>The <c>loop</c> variable of a for loop.</summary>
internal sealed class LoopContext
{
    private readonly List<object?> _items;
    private object? _lastChanged = Missing.Value;

    public LoopContext(List<object?> items)
    {
        _items = items;
    }

    public int Index0 { get; set; }

    public int Length => _items.Count;

    public object? GetAttribute(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(Length - Index0),
        "revindex0" => (long)(Length - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Length - 1,
        "length" => (long)Length,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? _items[Index0 - 1] : Undefined.WithHint("there is no previous item"),
        "nextitem" => Index0 < Length - 1 ? _items[Index0 + 1] : Undefined.WithHint("there is no next item"),
        "cycle" => new BoundMethod(this, "cycle", (args, _) => Cycle(args)),
        "changed" => new BoundMethod(this, "changed", (args, _) => Changed(args)),
        _ => Undefined.Attribute(this, name),
    };

    private object? Cycle(CallArgs args)
    {
        if (args.Positional.Count == 0)
        {
            throw TemplateRuntimeError.Type("no items for cycling given");
        }

        return args.Positional[Index0 % args.Positional.Count];
    }

    private bool Changed(CallArgs args)
    {
        var value = new PyList([.. args.Positional], isTuple: true);
        if (_lastChanged is PyList last && Py.Equal(last, value))
        {
            return false;
        }

        _lastChanged = value;
        return true;
    }
}

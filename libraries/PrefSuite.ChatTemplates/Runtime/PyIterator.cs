namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>A one-shot Python iterator (what map, select, unique, items, reverse ... return): always truthy, no len(),
/// and a second pass sees only what the first left.</summary>
internal sealed class PyIterator
{
    private readonly List<object?> _items;
    private int _position;

    public PyIterator(string typeName, List<object?> items)
    {
        TypeName = typeName;
        _items = items;
    }

    /// <summary>Python's type name, e.g. "generator" or "list_reverseiterator".</summary>
    public string TypeName { get; }

    /// <summary>Consumes and returns what is left.</summary>
    public List<object?> Drain()
    {
        var rest = _items.GetRange(_position, _items.Count - _position);
        _position = _items.Count;
        return rest;
    }

    /// <summary>Consumes one item, as next() does.</summary>
    public bool TryNext(out object? item)
    {
        if (_position < _items.Count)
        {
            item = _items[_position++];
            return true;
        }

        item = null;
        return false;
    }
}

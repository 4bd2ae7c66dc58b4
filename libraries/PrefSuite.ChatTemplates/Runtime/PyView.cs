namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>dict.keys(), dict.values() or dict.items(): sized and re-iterable, not indexable.</summary>
internal sealed class PyView
{
    public PyView(PyDict dict, string kind)
    {
        Dict = dict;
        Kind = kind;
    }

    public PyDict Dict { get; }

    /// <summary>"keys", "values" or "items".</summary>
    public string Kind { get; }

    public string TypeName => "dict_" + Kind;

    public List<object?> ToList() => Kind switch
    {
        "keys" => [.. Dict.Keys],
        "values" => [.. Dict.Values],
        _ => [.. Dict.Items.Select(pair => (object?)PyList.Tuple(pair.Key, pair.Value))],
    };
}

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>A Python dict: insertion-ordered, keys compared the Python way (1 == 1.0 == True).</summary>
internal sealed class PyDict
{
    private static readonly object NoneKey = new();
    private readonly OrderedDictionary<object, object?> _items = new(PyKeyComparer.Instance);

    public int Count => _items.Count;

    public IEnumerable<object?> Keys
    {
        get
        {
            foreach (var key in _items.Keys)
            {
                yield return FromKey(key);
            }
        }
    }

    public IEnumerable<object?> Values => _items.Values;

    public IEnumerable<KeyValuePair<object?, object?>> Items
    {
        get
        {
            foreach (var pair in _items)
            {
                yield return new(FromKey(pair.Key), pair.Value);
            }
        }
    }

    public bool TryGetValue(object? key, out object? value) => _items.TryGetValue(ToKey(key), out value);

    public bool ContainsKey(object? key) => _items.ContainsKey(ToKey(key));

    /// <summary>Adds or replaces; only while the dict is being built.</summary>
    public void Set(object? key, object? value) => _items[ToKey(key)] = value;

    private static object ToKey(object? key)
    {
        if (key is null)
        {
            return NoneKey;
        }

        if (key is PyList { IsTuple: false } or PyDict or PyIterator or PyView)
        {
            throw TemplateRuntimeError.Type($"unhashable type: '{Py.TypeName(key)}'");
        }

        if (key is PyList tuple)
        {
            foreach (var item in tuple.Items)
            {
                ToKey(item);
            }
        }

        return key;
    }

    private static object? FromKey(object key) => ReferenceEquals(key, NoneKey) ? null : key;

    /// <summary>Python's == and hash for the hashable kinds of key.</summary>
    private sealed class PyKeyComparer : IEqualityComparer<object>
    {
        public static readonly PyKeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y) || Py.Equal(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            string s => StringComparer.Ordinal.GetHashCode(s),
            Markup m => StringComparer.Ordinal.GetHashCode(m.Value),
            bool b => (b ? 1L : 0L).GetHashCode(),
            long l => l.GetHashCode(),
            double d when Math.Floor(d) == d && Math.Abs(d) < 9.2e18 => ((long)d).GetHashCode(),
            double d => d.GetHashCode(),
            PyList tuple => CombineHashes(tuple.Items),
            _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj),
        };

        private int CombineHashes(List<object?> items)
        {
            var hash = new HashCode();
            foreach (var item in items)
            {
                hash.Add(item is null ? 0 : GetHashCode(item));
            }

            return hash.ToHashCode();
        }
    }
}

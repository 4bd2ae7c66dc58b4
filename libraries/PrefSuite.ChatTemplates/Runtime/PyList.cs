namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>A Python list or tuple. Never changed after it is built: the sandbox is immutable.</summary>
internal sealed class PyList
{
    public PyList(List<object?> items, bool isTuple = false)
    {
        Items = items;
        IsTuple = isTuple;
    }

    public List<object?> Items { get; }

    public bool IsTuple { get; }

    public int Count => Items.Count;

    public static PyList Tuple(params object?[] items) => new([.. items], isTuple: true);
}

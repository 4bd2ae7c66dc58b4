namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>The object range() returns: indexable, sized, prints as <c>range(0, 3)</c>.</summary>
internal sealed class PyRange
{
    public PyRange(long start, long stop, long step)
    {
        Start = start;
        Stop = stop;
        Step = step;
        var count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        Count = (int)Math.Max(0, count);
    }

    public long Start { get; }

    public long Stop { get; }

    public long Step { get; }

    public int Count { get; }

    public long this[int index] => Start + (index * Step);

    public List<object?> ToList()
    {
        var items = new List<object?>(Count);
        for (var i = 0; i < Count; i++)
        {
            items.Add(this[i]);
        }

        return items;
    }

    public override string ToString() =>
        Step == 1 ? $"range({Start}, {Stop})" : $"range({Start}, {Stop}, {Step})";
}

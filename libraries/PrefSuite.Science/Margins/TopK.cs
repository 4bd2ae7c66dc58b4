namespace PrefSuite.Science.Margins;

/// <summary>Indices of the largest scores, ties to the lowest index.</summary>
public static class TopK
{
    /// <summary>The indices of the <paramref name="k"/> highest scores, highest first.</summary>
    public static int[] Indices(ReadOnlySpan<double> scores, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var keys = scores.ToArray();
        // Sort by descending score; a stable order for ties comes from the index as secondary key.
        Array.Sort(order, (a, b) =>
        {
            var byScore = keys[b].CompareTo(keys[a]);
            return byScore != 0 ? byScore : a.CompareTo(b);
        });
        return order[..Math.Min(k, order.Length)];
    }
}

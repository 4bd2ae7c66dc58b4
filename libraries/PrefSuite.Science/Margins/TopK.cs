namespace PrefSuite.Science.Margins;

/// <summary>Indices of the largest scores, ties to the lowest index.</summary>
public static class TopK
{
    /// <summary>The indices of the <paramref name="k"/> highest scores, highest first.</summary>
    public static int[] Indices(ReadOnlySpan<double> scores, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var entries = new Entry[scores.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new Entry(scores[i], i);
        }

        // Descending score; the index as secondary key makes the order of ties stable.
        Array.Sort(entries, default(DescendingThenIndex));
        var order = new int[Math.Min(k, entries.Length)];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = entries[i].Index;
        }

        return order;
    }

    /// <summary>
    /// The same set as <see cref="Indices"/> — the <paramref name="k"/> highest scores, ties to the lowest index — in
    /// ascending index order, without copying or sorting the scores.
    /// </summary>
    public static int[] IndicesInInputOrder(ReadOnlySpan<double> scores, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        k = Math.Min(k, scores.Length);
        if (k == 0)
        {
            return [];
        }

        var threshold = Statistics.Quantile.Smallest(scores, scores.Length - k);
        var above = 0; // scores strictly above the threshold
        foreach (var score in scores)
        {
            above += score > threshold ? 1 : 0;
        }

        var tiesWanted = k - above;
        var result = new int[k];
        var count = 0;
        for (var i = 0; i < scores.Length && count < k; i++)
        {
            if (scores[i] > threshold || (scores[i] == threshold && tiesWanted-- > 0))
            {
                result[count++] = i;
            }
        }

        return result;
    }

    private readonly record struct Entry(double Score, int Index);

    private readonly struct DescendingThenIndex : IComparer<Entry>
    {
        public int Compare(Entry a, Entry b)
        {
            var byScore = b.Score.CompareTo(a.Score);
            return byScore != 0 ? byScore : a.Index.CompareTo(b.Index);
        }
    }
}

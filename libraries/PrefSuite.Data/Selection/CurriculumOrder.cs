using PrefSuite.Science.Margins;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Data.Selection;

/// <summary>
/// The kept pairs in curriculum order (SCIENCE.md §6: easy → hard, by descending external margin, ties in input order)
/// with at most <c>capacity</c> pairs in memory at once, by radix bucketing over passes of the pair numbers: a pass
/// counts the kept pairs per 16-bit bucket of their margin's key, then bucket groups that fit are collected, sorted
/// and given out from the highest; a bucket too large for memory is split on its next 16 bits, and one whose pairs all
/// have the same margin is given out in input order as a pass reads it.
/// </summary>
internal static class CurriculumOrder
{
    /// <summary>
    /// Pairs held at once by default: 64K, 1.5 MB (a million kept pairs take about 17 passes over 28 MB of numbers in
    /// the page cache, a fraction of a second, instead of a buffer that grows with the dataset up to this size).
    /// </summary>
    public const int DefaultCapacity = 1 << 16;

    /// <summary>The kept pairs' spill offsets, in curriculum order.</summary>
    public static IEnumerable<long> Offsets(PairNumbers numbers, DatasetSelectionPlan plan, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return Bucket(numbers, plan, 0, 0, capacity);
    }

    /// <summary>The kept pairs whose key starts with the top <paramref name="bits"/> bits of <paramref name="prefix"/>.</summary>
    private static IEnumerable<long> Bucket(PairNumbers numbers, DatasetSelectionPlan plan, ulong prefix, int bits, int capacity)
    {
        var shift = 48 - bits;
        var counts = new long[1 << 16];
        foreach (var (key, _, _) in Kept(numbers, plan))
        {
            if (Matches(key, prefix, bits))
            {
                counts[(int)((key >> shift) & 0xFFFF)]++;
            }
        }

        Entry[]? buffer = null;
        for (var high = counts.Length - 1; high >= 0;)
        {
            if (counts[high] == 0)
            {
                high--;
                continue;
            }

            var sub = prefix | ((ulong)high << shift);
            if (counts[high] > capacity)
            {
                // One margin only (the whole key fixed): input order is the order. Otherwise split on the next 16 bits.
                var inner = bits + 16 == 64 ? SameKey(numbers, plan, sub) : Bucket(numbers, plan, sub, bits + 16, capacity);
                foreach (var offset in inner)
                {
                    yield return offset;
                }

                high--;
                continue;
            }

            var low = high;
            var total = counts[high];
            while (low > 0 && total + counts[low - 1] <= capacity)
            {
                total += counts[--low];
            }

            buffer ??= new Entry[Math.Min(capacity, numbers.Count)];
            var filled = 0;
            foreach (var (key, index, offset) in Kept(numbers, plan))
            {
                var bucket = (int)((key >> shift) & 0xFFFF);
                if (Matches(key, prefix, bits) && bucket >= low && bucket <= high)
                {
                    buffer[filled++] = new Entry(key, index, offset);
                }
            }

            Array.Sort(buffer, 0, filled, EasyFirst.Instance);
            for (var i = 0; i < filled; i++)
            {
                yield return buffer[i].Offset;
            }

            high = low - 1;
        }
    }

    private static IEnumerable<long> SameKey(PairNumbers numbers, DatasetSelectionPlan plan, ulong key)
    {
        foreach (var (k, _, offset) in Kept(numbers, plan))
        {
            if (k == key)
            {
                yield return offset;
            }
        }
    }

    /// <summary>One pass: the kept pairs' margin keys, input indices and spill offsets.</summary>
    private static IEnumerable<Entry> Kept(PairNumbers numbers, DatasetSelectionPlan plan)
    {
        var filter = plan.Filter();
        long index = 0;
        foreach (var number in numbers.Read())
        {
            if (filter.Keep(number.External, number.Implicit))
            {
                yield return new Entry(OrderedKey.Of(number.External), index, number.Offset);
            }

            index++;
        }
    }

    private static bool Matches(ulong key, ulong prefix, int bits) => bits == 0 || (key >> (64 - bits)) == (prefix >> (64 - bits));

    private readonly record struct Entry(ulong Key, long Index, long Offset);

    /// <summary>Descending margin, then ascending input index.</summary>
    private sealed class EasyFirst : IComparer<Entry>
    {
        public static readonly EasyFirst Instance = new();

        public int Compare(Entry a, Entry b)
        {
            var byKey = b.Key.CompareTo(a.Key);
            return byKey != 0 ? byKey : a.Index.CompareTo(b.Index);
        }
    }
}

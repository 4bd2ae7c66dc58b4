using CsCheck;
using PrefSuite.Data.Files;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Rows;

namespace PrefSuite.Data.Tests.Files;

public class ExternalSortTests
{
    [Fact]
    public void RecordsComeOutInTheOrderOfAnInMemorySort()
    {
        // Buffers of 2–40 records: up to a few hundred runs, so merges of more than FanIn runs go through longer runs first.
        Gen.Select(Gen.Select(Gen.Long[-50, 50], Gen.Int).Array[0, 3000], Gen.Int[2, 40]).Sample((records, buffer) =>
        {
            var comparer = Comparer<(long Key, int Tag)>.Create(static (a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : a.Tag.CompareTo(b.Tag));
            using var sort = new ExternalSort<(long Key, int Tag)>(null, comparer, buffer);
            foreach (var record in records)
            {
                sort.Add(record);
            }

            Assert.Equal(records.Length, sort.Count);
            Assert.Equal(records.Order(comparer), sort.Sorted());
            var runs = (records.Length + buffer - 1) / buffer; // one per full buffer and the rest; merges add more
            Assert.True(records.Length <= buffer ? sort.RunFiles == 0 : sort.RunFiles >= runs + (runs > ExternalSort<int>.FanIn ? 1 : 0), $"{sort.RunFiles} run files");
            Assert.True(sort.MostRunsOpen <= 3 * ExternalSort<int>.FanIn, $"{sort.MostRunsOpen} run files open at once for {runs} runs"); // under 16 a size, 3 sizes here
        },
        iter: 200);
    }

    [Fact]
    public void ItIsReadOnce()
    {
        using var sort = new ExternalSort<int>(null, Comparer<int>.Default, 4);
        sort.Add(3);
        Assert.Equal([3], sort.Sorted());
        Assert.Throws<InvalidOperationException>(() => sort.Sorted());
        Assert.Throws<InvalidOperationException>(() => sort.Add(1));
    }
}

public class RepeatedIdsTests
{
    [Fact]
    public void EachRowWhoseIdAnEarlierRowHasIsFoundWithTheFirstOfThem()
    {
        // Ids from a small range repeat often; small buffers put them in many runs. Against a dictionary of first rows.
        Gen.Select(Gen.ULong[1, 200].Array[0, 2000], Gen.Int[2, 50]).Sample((hashes, buffer) =>
        {
            using var repeats = new RepeatedIds(bufferRecords: buffer);
            for (var row = 0; row < hashes.Length; row++)
            {
                repeats.Add(hashes[row], row, RowLocation.OfLine(row + 1), renamable: row % 3 != 0);
            }

            var first = new Dictionary<ulong, int>();
            var expected = new List<(int First, int Repeat, long Line, bool Renamable)>();
            for (var row = 0; row < hashes.Length; row++)
            {
                if (!first.TryAdd(hashes[row], row))
                {
                    expected.Add((first[hashes[row]], row, row + 1, row % 3 != 0));
                }
            }

            Assert.Equal(expected, repeats.InRowOrder().Select(r => (r.First.Number, r.Repeat.Number, r.Repeat.Location.Line, r.Repeat.Renamable)));
        },
        iter: 200);
    }
}

[Collection(nameof(Selection.LiveHeapCollection))]
public class RepeatedIdsMemoryTests
{
    [Fact]
    public void TwoMillionIdsTakeNoMoreMemoryThanAHundredThousand()
    {
        // Ids go to sorted runs on disk as they come: from 100,000 ids to 2,000,000 the live heap moves by the runs'
        // bookkeeping only. The id set that answers at once held a Bloom filter of 2 bytes an id (4 MB here).
        using var repeats = new RepeatedIds();
        var row = 0;
        void AddIds(int count)
        {
            for (var i = 0; i < count; i++, row++)
            {
                repeats.Add(IdSet.Hash($"prompt {(row % 1000 == 999 ? row - 500 : row)}"), row, RowLocation.OfLine(row + 1), renamable: true);
            }
        }

        AddIds(100_000);
        var at100k = GC.GetTotalMemory(forceFullCollection: true);
        AddIds(1_900_000);
        var at2m = GC.GetTotalMemory(forceFullCollection: true);

        Assert.True(at2m - at100k < 256 << 10, $"the live heap grew by {(at2m - at100k) >> 10} KB from 100,000 ids to 2,000,000");
        Assert.True(repeats.RunFiles >= 2_000_000L * System.Runtime.CompilerServices.Unsafe.SizeOf<SeenId>() / ExternalSort<SeenId>.DefaultBufferBytes, $"{repeats.RunFiles} run files");
        var found = repeats.InRowOrder().ToList();
        Assert.Equal(2000, found.Count); // every 1,000th row repeats the id of the row 500 before it
        Assert.All(found, r => Assert.Equal(r.Repeat.Number - 500, r.First.Number));
    }
}

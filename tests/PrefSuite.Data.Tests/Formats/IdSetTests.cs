using CsCheck;
using PrefSuite.Data.Formats;

namespace PrefSuite.Data.Tests.Formats;

public class IdSetTests
{
    [Fact]
    public void RepeatsAreFoundExactlyAcrossTheTableRunsMergesAndBloomRebuilds()
    {
        // A table of 4–64 recent ids makes most ids live in run files, with merges after 8 runs and Bloom filter rebuilds
        // as the count grows; every answer must equal a plain HashSet's. Hashes from a small range repeat often.
        Gen.Select(Gen.ULong[1, 3000].Array[1, 4000], Gen.Int[4, 64], Gen.Bool).Sample((hashes, recent, reserve) =>
        {
            using var ids = new IdSet(recentIds: recent);
            if (reserve)
            {
                ids.Reserve(hashes.Length);
            }

            var expected = new HashSet<ulong>();
            foreach (var hash in hashes)
            {
                Assert.Equal(expected.Add(hash), ids.Add(hash));
            }

            Assert.Equal(expected.Count, ids.Count);
            Assert.InRange(ids.RunFiles, expected.Count >= recent ? 1 : 0, 9);
        },
        iter: 200);
    }
}

[Collection(nameof(Selection.LiveHeapCollection))]
public class IdSetMemoryTests
{
    [Fact]
    public void AMillionIdsKeepAFewMegabytesInMemory()
    {
        // 1,000,000 distinct ids and then each again: the live heap holds the 2 MB table, the Bloom filter (2 bytes an id)
        // and the run indices, not 8 bytes or more an id; every repeat is found.
        using var ids = new IdSet();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        const int count = 1_000_000;
        for (var i = 1; i <= count; i++)
        {
            Assert.True(ids.Add(IdSet.Hash($"prompt {i}")));
        }

        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        for (var i = 1; i <= count; i += 997)
        {
            Assert.False(ids.Add(IdSet.Hash($"prompt {i}")));
        }

        Assert.True(held < 6L << 20, $"{held >> 20} MB held for {count} ids");
    }

    [Fact]
    public void AReservedSetAddsWithoutAllocating()
    {
        // Reserve sizes the Bloom filter and the table of recent ids for the whole file at once: growing the table by
        // doubling on the way left 128 KB, 256 KB, … 1 MB tables on the large-object heap until a full collection.
        var hashes = Enumerable.Range(1, 100_000).Select(i => IdSet.Hash($"prompt {i}")).ToArray();
        using var ids = new IdSet();
        ids.Reserve(hashes.Length);
        ids.Add(hashes[0]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var hash in hashes.AsSpan(1))
        {
            Assert.True(ids.Add(hash));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4096, $"{allocated} bytes allocated by {hashes.Length - 1} adds");
    }

    [Fact]
    public void MergingRunsReadsThemIntoOneBufferEach()
    {
        // 400,000 ids in runs of 4,096 make a dozen merges that read about 2,400,000 ids back: a new array per block read
        // allocated about 48 bytes an id added (8 MB more for each million ids in a 2,000,000-prompt select); one buffer
        // per run read allocates a few.
        using var ids = new IdSet(recentIds: 4096);
        ids.Reserve(400_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i <= 400_000; i++)
        {
            Assert.True(ids.Add((ulong)i * 0x9E3779B97F4A7C15UL | 1));
        }

        var perId = (GC.GetAllocatedBytesForCurrentThread() - before) / 400_000.0;
        Assert.True(perId < 16, $"{perId:F1} bytes allocated per id added");
    }
}

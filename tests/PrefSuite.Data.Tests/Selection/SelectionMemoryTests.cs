using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;

namespace PrefSuite.Data.Tests.Selection;

/// <summary>Tests that measure the process's live heap: they run alone, after the others, so no other test's allocations count.</summary>
[CollectionDefinition(nameof(LiveHeapCollection), DisableParallelization = true)]
public sealed class LiveHeapCollection;

[Collection(nameof(LiveHeapCollection))]
public class SelectionMemoryTests
{
    [Fact]
    public async Task SelectionHoldsNumbersNotTextsWhateverTheInputSize()
    {
        // About 190 MB of UltraFeedback-shaped rows generated on the fly: if selection (or a reader under it) kept the
        // rows or their texts, the live heap would pass 190 MB; streaming keeps it to buffers and a few numbers a prompt.
        const int prompts = 40_000;
        var input = new GeneratedRows(prompts, completions: 16, responseWords: 60);
        var output = new CountingStream();
        var summary = await StreamingPairSelector.SelectAsync(input, "generated.jsonl", new ScoredReadOptions(), new SelectOptions(), output, new PairOutput());

        Assert.True(input.Position > 180_000_000, $"generated {input.Position} bytes");
        Assert.Equal(prompts, summary.Kept);
        Assert.Equal(prompts, output.Lines);
        Assert.True(input.PeakLiveHeap < 64L << 20, $"live heap reached {input.PeakLiveHeap >> 20} MB while reading {input.Position >> 20} MB");
    }

    [Fact]
    public async Task SelectionMakesAlmostNoGarbagePerPrompt()
    {
        // What selection allocates for each further prompt, measured over the whole process between a run of 10,000
        // prompts and one of 40,000 (files written first; after warm-up runs). It was 471 bytes a prompt here: a field
        // name made for every response whose UTF-8 was checked, the prompt id decoded to a string to seed the pick, a
        // delegate for every position name, a closure for every id added to the id set, a row array per chunk; then
        // about 77 (a parser and arrays per chunk, the id set's table as it grew). Now 1–77 over five runs of this test:
        // with parsed chunks reused the difference of two runs is mostly noise.
        using var dir = new TempFolder();
        var small = await WriteRowsAsync(dir.File("small.jsonl"), 10_000);
        var large = await WriteRowsAsync(dir.File("large.jsonl"), 40_000);
        for (var warm = 0; warm < 3; warm++)
        {
            await AllocatedAsync(small, dir); // past the JIT's first tier, whose code allocates where optimized code does not
        }

        var perPrompt = (await AllocatedAsync(large, dir) - await AllocatedAsync(small, dir)) / 30_000.0;

        Assert.True(perPrompt < 160, $"selection allocated {perPrompt:F0} bytes for each further prompt");
    }

    private static async Task<long> AllocatedAsync(string input, TempFolder dir)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var summary = await StreamingPairSelector.SelectFileAsync(input, new ScoredReadOptions(), new SelectOptions(), dir.File("pairs.jsonl"), new PairOutput());
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(summary.Kept > 0);
        return allocated;
    }

    private static async Task<string> WriteRowsAsync(string path, int prompts)
    {
        await using (var file = File.Create(path))
        {
            await new GeneratedRows(prompts, completions: 8, responseWords: 12).CopyToAsync(file);
        }

        return path;
    }

    [Fact]
    public void CandidatePairsDoNotTakeMemoryAsTheyGrow()
    {
        // 1,600,000 candidate pairs' numbers go to a file: the live heap stays within 2 MB of where it began. Kept in
        // memory, 28 bytes a pair, they would add 43 MB. Measured on the store of numbers itself: an end-to-end run's
        // live heap moves by up to 11 MB with the chunks in flight, which made a comparison of two runs flaky.
        using var numbers = new PairNumbers(null) { HasImplicit = true };
        numbers.Add(new PairNumber(0, 0, 0, 0));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 1; i < 1_600_000; i++)
        {
            numbers.Add(new PairNumber(i * 0.5, -i, i * 100L, i / 8));
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(1_600_000, numbers.Count);
        Assert.True(after - before < 2L << 20, $"live heap {before >> 20} MB before 1,600,000 pairs, {after >> 20} MB after");
        var last = numbers.Read().Last();
        Assert.Equal(new PairNumber(1_599_999 * 0.5, -1_599_999, 159_999_900L, 199_999), last);
    }
}

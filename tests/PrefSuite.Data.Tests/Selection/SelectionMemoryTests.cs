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

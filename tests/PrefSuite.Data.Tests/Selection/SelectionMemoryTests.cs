using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Pairs;

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
    public async Task CandidatePairsDoNotTakeMemoryAsTheyGrow()
    {
        // 50,000 and 200,000 prompts of 8 pairs each: the 1,200,000 extra pairs' numbers go to a file, so the live heap
        // grows only by the repeated-id table (8 bytes a slot; 1 → 4 MB here). Numbers kept in memory, 12 bytes a pair at
        // the least, would add 14 MB more.
        async Task<(long Heap, int Pairs)> PeakAsync(int prompts)
        {
            var input = new GeneratedRows(prompts, completions: 8, responseWords: 1);
            var options = new SelectOptions { Strategy = new PairStrategyOptions { Name = StrategyNames.Random, PairsPerPrompt = 8, Seed = 3 } };
            var summary = await StreamingPairSelector.SelectAsync(input, "generated.jsonl", new ScoredReadOptions(), options, new CountingStream(), new PairOutput());
            return (input.PeakLiveHeap, summary.Kept);
        }

        var small = await PeakAsync(50_000);
        var large = await PeakAsync(200_000);
        Assert.Equal((400_000, 1_600_000), (small.Pairs, large.Pairs));
        Assert.True(large.Heap - small.Heap < 10L << 20, $"live heap {small.Heap >> 20} MB at 400,000 pairs, {large.Heap >> 20} MB at 1,600,000");
    }
}

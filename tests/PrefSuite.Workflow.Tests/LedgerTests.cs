using PrefSuite.Workflow.Ledger;

namespace PrefSuite.Workflow.Tests;

public class LedgerTests
{
    private static LedgerRecord Dispatch(int upTo) => new() { Dispatched = new Dispatched { UpTo = upTo } };

    [Fact]
    public async Task RecordsReadBackInOrderAndAReopenedLedgerAppendsToANewSegment()
    {
        using var temp = new TempStore();
        var ledger = RunLedger.Create(temp.Store, "r");
        await ledger.AppendAsync([Dispatch(1), Dispatch(2)]);
        await ledger.AppendAsync(Dispatch(3));
        var (reopened, records) = await RunLedger.OpenAsync(temp.Store, "r");
        Assert.Equal([1, 2, 3], records.Select(r => r.Dispatched.UpTo));
        await reopened.AppendAsync(Dispatch(4));
        Assert.Equal(["runs/r/ledger/000001.log", "runs/r/ledger/000002.log"], await temp.Store.ListAsync("runs/r/ledger").ToListAsync());
        Assert.Equal([1, 2, 3, 4], (await RunLedger.OpenAsync(temp.Store, "r")).Records.Select(r => r.Dispatched.UpTo));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(9)]
    public void ATornOrZeroFilledTailEndsTheSegmentWithoutLosingWhatCameBefore(int cut)
    {
        var frames = RunLedger.Frame([Dispatch(1), Dispatch(2)]);
        var one = RunLedger.Frame([Dispatch(1)]).Length;
        var torn = frames[..(one + cut)];
        Assert.Equal([1], RunLedger.Read(torn).Select(r => r.Dispatched.UpTo));
        var zeroed = frames.Concat(new byte[16]).ToArray();
        Assert.Equal([1, 2], RunLedger.Read(zeroed).Select(r => r.Dispatched.UpTo));
    }
}

using PrefSuite.Contracts.V1;
using static PrefSuite.Workflow.Tests.Runs;

namespace PrefSuite.Workflow.Tests;

public class StreamedSubmissionTests
{
    [Fact]
    public async Task SpooledPromptsMakeTheSameRunAsTheSpecsOwnAndResubmittingEitherWayReturnsIt()
    {
        using var streamed = new TempStore();
        using var whole = new TempStore();
        var spec = Spec(5);
        await using var a = Coordinator(streamed.Store, new RecordingTransport());
        await using var b = Coordinator(whole.Store, new RecordingTransport());

        using var spool = Spool(spec.Prompts);
        var run = await a.SubmitAsync(StoredRunSpec.SettingsOf(spec), spool);
        var reference = await b.SubmitAsync(spec);

        Assert.Equal((RunState.Running, 5, 0), (run.State, run.PromptCount, run.Spec.Prompts.Count));
        Assert.Equal(reference.Spec, run.Spec);
        Assert.Equal(await whole.Store.ReadAsync(ArtifactPaths.RunPrompts("r")), await streamed.Store.ReadAsync(ArtifactPaths.RunPrompts("r")));
        Assert.Equal(await whole.Store.ReadAsync(ArtifactPaths.RunSpec("r")), await streamed.Store.ReadAsync(ArtifactPaths.RunSpec("r")));

        // The same run sent as one message is the same run; other prompts under its id are refused.
        Assert.Equal(run.RunId, (await a.SubmitAsync(spec)).RunId);
        using var other = Spool(Spec(6).Prompts);
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => a.SubmitAsync(StoredRunSpec.SettingsOf(spec), other));
        Assert.Equal("run_id", error.Field);
    }

    [Fact]
    public async Task AnEmptySpoolLeavesTheSettingsAsTheWholeSpec()
    {
        using var temp = new TempStore();
        await using var coordinator = Coordinator(temp.Store, new RecordingTransport());
        using var spool = new PromptSpool(10);
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => coordinator.SubmitAsync(StoredRunSpec.SettingsOf(Spec(3)), spool));
        Assert.Equal("prompts", error.Field); // the test rules' refusal of a spec without prompts
    }

    [Fact]
    public void TheSpoolRefusesPromptsBeyondItsLimitAsTheyArriveAndReadsBackInOrderAsOftenAsAsked()
    {
        using var spool = new PromptSpool(3);
        var prompts = Spec(4).Prompts;
        foreach (var prompt in prompts.Take(3))
        {
            spool.Add(prompt);
        }

        var error = Assert.Throws<InvalidRequestException>(() => spool.Add(prompts[3]));
        Assert.Equal("prompts", error.Field);
        Assert.Equal(prompts.Take(3), spool.Read());
        Assert.Equal(prompts.Take(3), spool.Read());
        Assert.Throws<InvalidOperationException>(() => spool.Add(prompts[3]));
    }

    private static PromptSpool Spool(IEnumerable<Prompt> prompts)
    {
        var spool = new PromptSpool(1000);
        foreach (var prompt in prompts)
        {
            spool.Add(prompt);
        }

        return spool;
    }
}

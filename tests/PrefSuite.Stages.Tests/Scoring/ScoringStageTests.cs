using PrefSuite.Contracts.V1;
using PrefSuite.Models.Demo;
using PrefSuite.Models.Rewards;
using PrefSuite.Stages.Caching;
using PrefSuite.Stages.Scoring;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Tests.Scoring;

public class ScoringStageTests
{
    [Fact]
    public async Task TheCombinedRewardIsTheMeanOfTheScorers()
    {
        var truth = new ProgrammaticRewardScorer(new SortingReward());
        var simulated = new ProgrammaticRewardScorer(new SimulatedSortingReward(new SimulatedRewardModel(0.1, 0, 5)), "s5");
        var stage = new ScoringStage([truth, simulated], new MemoryRewardCache());
        var request = new ScoreRequest { Scorers = { truth.Id, simulated.Id } };
        request.Items.Add(new ScoreItem { Prompt = "sort 3 1 2 =", Response = "1 2 3" });

        var item = (await stage.ScoreAsync(request)).Items[0];

        var noisy = new SimulatedRewardModel(0.1, 0, 5).Score("sort 3 1 2 =", "1 2 3");
        Assert.Equal((1.0 + noisy) / 2, item.Combined.Reward, 12);
        Assert.Equal([1.0, noisy], item.ByScorer.Select(v => v.Reward));
        Assert.Equal(ScoringStage.CombinedId, item.Combined.ScorerId);
    }

    [Fact]
    public async Task UnitsGetVectorsAndTruncatedResponsesScoreAsUnfinished()
    {
        var stage = new ScoringStage([new ProgrammaticRewardScorer(new SortingReward())], new MemoryRewardCache());
        var unit = new PromptUnit { RunId = "r", Prompt = new Prompt { PromptId = "p", Text = "sort 3 1 2 =" } };
        unit.Responses.Add(new Response { Text = "1 2 3", FinishReason = "eos" });
        unit.Responses.Add(new Response { Text = "1 2 3", FinishReason = "length" });

        var scored = await stage.ScoreUnitAsync(unit);

        Assert.Equal([1.0, 0.5], scored.Responses.Select(r => r.Reward.Reward));
        Assert.Null(unit.Responses[0].Reward); // the input is not changed
    }

    [Fact]
    public async Task UnitsScoredTogetherMatchEachScoredAloneWithOneCacheReadPerScorer()
    {
        var truth = new ProgrammaticRewardScorer(new SortingReward());
        var simulated = new ProgrammaticRewardScorer(new SimulatedSortingReward(new SimulatedRewardModel(0.2, 0, 9)), "s9");
        var cache = new CountingCache();
        var together = new ScoringStage([truth, simulated], cache, [truth.Id, simulated.Id]);
        var alone = new ScoringStage([truth, simulated], new NoRewardCache(), [truth.Id, simulated.Id]);
        var units = new[] { ("a", "sort 3 1 2 =", new[] { "1 2 3", "3 2 1", "1 3" }), ("b", "sort 5 4 =", new[] { "4 5" }), ("c", "sort 9 7 8 =", new[] { "7 8 9", "9 8 7" }) }
            .Select(u =>
            {
                var unit = new PromptUnit { RunId = "r", Prompt = new Prompt { PromptId = u.Item1, Text = u.Item2 } };
                unit.Responses.Add(u.Item3.Select(t => new Response { Text = t, FinishReason = "eos" }));
                return unit;
            })
            .ToArray();

        var scored = await together.ScoreUnitsAsync(units);

        Assert.Equal(2, cache.Reads); // one batched read per scorer for all six responses
        Assert.Equal(units.Select(u => u.Prompt.PromptId), scored.Select(u => u.Prompt.PromptId));
        for (var u = 0; u < units.Length; u++)
        {
            var single = await alone.ScoreUnitAsync(units[u]);
            Assert.Equal(single.Responses.Select(r => r.Reward.Reward), scored[u].Responses.Select(r => r.Reward.Reward));
            Assert.Equal(single.Responses.Select(r => r.RewardsByScorer[1].Reward), scored[u].Responses.Select(r => r.RewardsByScorer[1].Reward));
        }

        Assert.Equal(1.0, scored[2].Responses[0].RewardsByScorer[0].Reward);
        Assert.True(scored[2].Responses[1].RewardsByScorer[0].Reward < 1.0);
    }

    private sealed class CountingCache : IRewardCache
    {
        private readonly MemoryRewardCache _inner = new();

        public int Reads { get; private set; }

        public Task<byte[]?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
        {
            Reads++;
            return _inner.GetManyAsync(keys, cancellationToken);
        }

        public Task SetManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> entries, CancellationToken cancellationToken = default) =>
            _inner.SetManyAsync(entries, cancellationToken);
    }

    [Fact]
    public async Task UnknownScorersAndOversizedRequestsAreRefusedByName()
    {
        var stage = new ScoringStage([new ProgrammaticRewardScorer(new SortingReward())], new NoRewardCache());
        var unknown = await Assert.ThrowsAsync<InvalidRequestException>(() => stage.ScoreAsync(new ScoreRequest { Scorers = { "onnx:nope" } }));
        Assert.Equal("scorers[0]", unknown.Field);
        var big = new ScoreRequest();
        big.Items.Add(Enumerable.Range(0, ScoringStage.MaxItemsPerCall + 1).Select(_ => new ScoreItem()));
        Assert.Equal("items", (await Assert.ThrowsAsync<InvalidRequestException>(() => stage.ScoreAsync(big))).Field);
    }
}

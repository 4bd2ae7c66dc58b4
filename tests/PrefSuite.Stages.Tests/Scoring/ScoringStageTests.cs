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
    public async Task AConversationPromptScoresByItsLastUserTurnWithTaskRewards()
    {
        var stage = new ScoringStage([new ProgrammaticRewardScorer(new SortingReward())], new MemoryRewardCache());
        var request = new ScoreRequest();
        request.Items.Add(new ScoreItem { Prompt = "sort 3 1 2 =", Response = "3 2 1" });
        request.Items.Add(Conversation("3 2 1", ("system", "Answer with digits."), ("user", "sort 3 1 2 =")));
        request.Items.Add(Conversation("1 2 3", ("user", "sort 3 1 2 =")));
        request.Items.Add(Conversation("1 2 3", ("user", "sort 3 1 2 =")));
        request.Items[3].Truncated = true;

        var scored = await stage.ScoreAsync(request);

        // "3 2 1" is two substitutions from "1 2 3": 1 - 2/3, the same for the text and the conversation.
        Assert.Equal([1.0 / 3, 1.0 / 3, 1.0, 0.5], scored.Items.Select(i => i.Combined.Reward), new ToleranceComparer(1e-12));
    }

    [Fact]
    public async Task ModelScorersReadTheConversationAndItsCacheEntryIsNotTheFlatTexts()
    {
        var scorer = new RecordingScorer();
        var stage = new ScoringStage([scorer], new MemoryRewardCache());
        var text = new ScoreRequest { Items = { new ScoreItem { Prompt = "user: hi", Response = "hello" } } };
        var conversation = new ScoreRequest { Items = { Conversation("hello", ("user", "hi")) } };

        var asText = await stage.ScoreAsync(text);
        var asConversation = await stage.ScoreAsync(conversation);
        var again = await stage.ScoreAsync(conversation);

        Assert.Equal(0.0, asText.Items[0].Combined.Reward);
        Assert.Equal(1.0, asConversation.Items[0].Combined.Reward); // not the text's cached 0
        Assert.Equal((0, 1), (asConversation.CacheHits, asConversation.CacheMisses));
        Assert.Equal((1, 0, 1.0), (again.CacheHits, again.CacheMisses, again.Items[0].Combined.Reward));
        var seen = scorer.Seen[^1];
        Assert.Equal("user: hi", seen.Prompt); // text scorers get the "role: content" rendering
        Assert.Equal([new Science.Augmentation.ChatMessage("user", "hi")], seen.Conversation.Messages!);
    }

    [Fact]
    public async Task AnItemWithBothPromptsOrARolelessMessageIsRefusedNamingTheField()
    {
        var stage = new ScoringStage([new ProgrammaticRewardScorer(new SortingReward())], new NoRewardCache());
        var both = Conversation("1 2", ("user", "sort 2 1 ="));
        both.Prompt = "sort 2 1 =";
        var bothRequest = new ScoreRequest { Items = { new ScoreItem { Prompt = "sort 2 1 =", Response = "1 2" }, both } };
        var noRole = new ScoreRequest { Items = { Conversation("1 2", ("system", "be brief"), (string.Empty, "sort 2 1 =")) } };

        var bothError = await Assert.ThrowsAsync<InvalidRequestException>(() => stage.ScoreAsync(bothRequest));
        var noRoleError = await Assert.ThrowsAsync<InvalidRequestException>(() => stage.ScoreAsync(noRole));

        Assert.Equal("items[1].prompt_messages", bothError.Field);
        Assert.Equal("items[0].prompt_messages[1].role", noRoleError.Field);
    }

    private static ScoreItem Conversation(string response, params (string Role, string Content)[] messages)
    {
        var item = new ScoreItem { Response = response };
        item.PromptMessages.Add(messages.Select(m => new ChatMessage { Role = m.Role, Content = m.Content }));
        return item;
    }

    /// <summary>Scores 1 for a conversation and 0 for a text prompt, and keeps what it was given.</summary>
    private sealed class RecordingScorer : IRewardScorer
    {
        public List<ScoringItem> Seen { get; } = [];

        public string Id => "recording";

        public string Version => "1";

        public IReadOnlyList<string> Heads => ["conversational"];

        public Task<IReadOnlyList<Models.Rewards.RewardVector>> ScoreAsync(IReadOnlyList<ScoringItem> items, CancellationToken cancellationToken = default)
        {
            Seen.AddRange(items);
            return Task.FromResult<IReadOnlyList<Models.Rewards.RewardVector>>(
                [.. items.Select(i => new Models.Rewards.RewardVector(i.Conversation.IsConversational ? 1 : 0, new Dictionary<string, double> { ["conversational"] = i.Conversation.IsConversational ? 1 : 0 }))]);
        }
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
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

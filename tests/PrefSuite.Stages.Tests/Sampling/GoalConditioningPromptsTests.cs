using System.Text;
using System.Text.Json;
using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Augmentation;
using PrefSuite.Stages.Mapping;
using PrefSuite.Stages.Sampling;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Tests.Sampling;

public class GoalConditioningPromptsTests
{
    private const string GoalTen =
        "You are an assistant that generates responses for the instruction while implicitly achieving the following " +
        "target scores (on a scale of 1-10, where 1 is lowest and 10 is highest):\nOverall score: 10.";

    public static TheoryData<string, bool> Prompts() => new()
    {
        { "\"Sort: 3 1 2\"", true },
        { "\"Sort: 3 1 2\"", false },
        { """[{"role":"user","content":"Sort: 3 1 2"}]""", true },
        { """[{"role":"user","content":"Sort: 3 1 2"}]""", false },
        { """[{"role":"system","content":"Be brief."},{"role":"user","content":"Sort: 3 1 2"},{"role":"assistant","content":"1 2 3"},{"role":"user","content":"Again: 9 8"}]""", true },
        { """[{"role":"system","content":"Be brief."},{"role":"user","content":"Sort: 3 1 2"},{"role":"assistant","content":"1 2 3"},{"role":"user","content":"Again: 9 8"}]""", false },
    };

    [Theory]
    [MemberData(nameof(Prompts))]
    public async Task ThePolicySeesTheBytesAugmentWritesForAGoalAtTheScalesMaximum(string promptJson, bool useSystemPrompt)
    {
        var prompt = ReadPrompt(promptJson);

        // What prefsuite augment writes (PairAugmenter + PairRowWriter, as AugmentCommand does) for a pair whose chosen
        // scored the top of its declared scale (0:1 here): its first row's goal is 10.
        var pair = new PairRow { PromptId = "p", Prompt = prompt, Chosen = "1 2 3", Rejected = "3 1 2", ScoreChosen = 1.0, ScoreRejected = 0.25 };
        var augmented = PairAugmenter.Augment(pair, new ScoreScale(0, 1), useSystemPrompt);
        Assert.Equal(10.0, augmented[0].Goal);
        using var file = new MemoryStream();
        await PairRowWriter.WriteAsync(file, augmented);
        var firstRow = Encoding.UTF8.GetString(file.ToArray()).Split('\n')[0];
        var augmentBytes = JsonDocument.Parse(firstRow).RootElement.GetProperty("prompt").GetRawText();

        // What sampling sends the policy with goal conditioning on.
        var sampler = new RecordingSampler();
        var stage = new SamplingStage(sampler);
        var sent = PromptMapping.ToProto("p", prompt);
        var result = await stage.SampleAsync(new SampleRequest
        {
            Prompts = { sent },
            Sampling = new SamplingParams { N = 1, GoalConditioning = GoalConditioningPrompts.Parse(useSystemPrompt ? "system" : "no-system") },
        });

        Assert.Equal(augmentBytes, Serialize(PromptMapping.ToText(Assert.Single(sampler.Seen))));
        Assert.Contains(JsonEncodedText.Encode(GoalTen).ToString(), augmentBytes, StringComparison.Ordinal);

        // The result keeps the prompt as given.
        Assert.Equal(sent, result.Prompts[0].Prompt);
    }

    [Fact]
    public async Task ATextPromptBecomesTheGoalSystemMessageAndTheUserTurn()
    {
        var sampler = new RecordingSampler();
        await new SamplingStage(sampler).SampleAsync(new SampleRequest
        {
            Prompts = { new Prompt { PromptId = "p", Text = "Sort: 3 1 2" } },
            Sampling = new SamplingParams { N = 1, GoalConditioning = GoalConditioning.System },
        });
        var seen = Assert.Single(sampler.Seen);
        Assert.Equal([("system", GoalTen), ("user", "Sort: 3 1 2")], seen.Messages.Select(m => (m.Role, m.Content)));
        Assert.Equal("p", seen.PromptId);
    }

    [Fact]
    public async Task WithoutConditioningThePolicySeesThePromptAsGiven()
    {
        var sampler = new RecordingSampler();
        var prompt = new Prompt { PromptId = "p", Text = "Sort: 3 1 2" };
        await new SamplingStage(sampler).SampleAsync(new SampleRequest { Prompts = { prompt }, Sampling = new SamplingParams { N = 1 } });
        Assert.Equal(prompt, Assert.Single(sampler.Seen));
    }

    [Fact]
    public void UnknownValuesAreRefusedNamingTheFieldOrTheValue()
    {
        Assert.Throws<FormatException>(() => GoalConditioningPrompts.Parse("user"));
        var error = Assert.Throws<InvalidRequestException>(() => SamplingStage.Validate([new Prompt { PromptId = "p", Text = "x" }], new SamplingParams { N = 1, GoalConditioning = (GoalConditioning)7 }));
        Assert.Equal("sampling.goal_conditioning", error.Field);
    }

    private static PromptText ReadPrompt(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return root.ValueKind == JsonValueKind.String
            ? PromptText.FromText(root.GetString()!)
            : PromptText.FromMessages([.. root.EnumerateArray().Select(m => new Science.Augmentation.ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))]);
    }

    private static string Serialize(PromptText prompt)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            PairRowWriter.WritePrompt(writer, prompt);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private sealed class RecordingSampler : IResponseSampler
    {
        public List<Prompt> Seen { get; } = [];

        public Task<(IReadOnlyList<IReadOnlyList<Response>> Responses, string PolicyVersion)> SampleAsync(
            IReadOnlyList<Prompt> prompts, SamplingParams parameters, PolicyRef? policy, CancellationToken cancellationToken = default)
        {
            Seen.AddRange(prompts);
            IReadOnlyList<IReadOnlyList<Response>> responses = [.. prompts.Select(_ => (IReadOnlyList<Response>)[new Response { Text = "1 2 3" }])];
            return Task.FromResult((responses, "v1"));
        }
    }
}

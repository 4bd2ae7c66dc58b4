using PrefSuite.ChatTemplates;
using PrefSuite.Models.HuggingFace;
using PrefSuite.Models.Policy;
using PrefSuite.Science.Augmentation;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.HuggingFace;

/// <summary>The prompt/response convention on chat models: the template renders the prompt; the response is the rest.</summary>
public sealed class ChatConventionTests : IDisposable
{
    private static readonly PromptText Question = PromptText.FromMessages([new ChatMessage("user", "What is 2+2?")]);

    private readonly TempFolder folder = new();

    private ChatPolicyTokens Tokens(string model, string? template, string? bos = null, string? eos = "<|im_end|>")
    {
        var path = TinyCheckpoints.Write(model, folder.Path);
        TinyCheckpoints.WriteTokenizer(path, template);
        if (bos is not null || eos != "<|im_end|>")
        {
            var config = Path.Combine(path, "tokenizer_config.json");
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!.AsObject();
            json["bos_token"] = bos;
            json["eos_token"] = eos;
            File.WriteAllText(config, json.ToJsonString());
        }

        return ChatPolicyTokens.Create(HfCheckpoint.Open(path), HfTokenizer.Load(Path.Combine(path, "tokenizer.json")));
    }

    [Fact]
    public void ChatMlPromptsAndResponsesAreTheTemplatesTokens()
    {
        var tokens = Tokens("qwen2-tiny", TinyCheckpoints.ChatMlTemplate);
        var conversation = PromptText.FromMessages([new ChatMessage("system", "Be brief."), new ChatMessage("user", "hello")]);
        // <|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n, merged by
        // TinyCheckpoints.Merges (ids 256 + rank).
        int[] expectedPrompt =
        [
            301, .. "system\nBe brief.".Select(c => (int)c), 302, '\n',
            301, 'u', 's', 256 + 9, '\n', 256 + 3, 302, '\n', // "user" → u s (e r); "hello" → hello
            301, 'a', 's', 's', 'i', 's', 't', 256 + 11, 't', '\n', // "assistant" → … (a n) t
        ];
        Assert.Equal(expectedPrompt, tokens.EncodePrompt(conversation));
        // The response ends with the end-of-turn token and the template's newline; <|im_end|> is a stop id, so no EOS is added.
        Assert.Equal(new[] { 'h', 'i', 302, '\n' }, tokens.EncodeResponse(conversation, "hi"));
        Assert.Equal("hi<|im_end|>\n", tokens.ResponseText(conversation, "hi"));
        // A text prompt is raw text (this tokenizer's post-processor adds no BOS); its response gets the EOS id.
        Assert.Equal(new[] { 256 + 3 }, tokens.EncodePrompt(PromptText.FromText("hello")));
        Assert.Equal(new[] { 'h', 'i', 302 }, tokens.EncodeResponse(PromptText.FromText("hello"), "hi"));
        Assert.Equal(new[] { 302, 300 }, tokens.StopIds); // generation_config's [302, 300]
    }

    /// <summary>Expected responses rendered by Jinja2 itself (tests/PrefSuite.ChatTemplates.Tests/reference's environment).</summary>
    [Theory]
    [InlineData("qwen2.5-instruct", null, "<|im_end|>", "4<|im_end|>\n")]
    [InlineData("qwen3", null, "<|im_end|>", "<think>\n\n</think>\n\n4<|im_end|>\n")]
    [InlineData("llama-3.1-instruct", "<|begin_of_text|>", "<|eot_id|>", "4<|eot_id|>")]
    [InlineData("llama-3.2-instruct", "<|begin_of_text|>", "<|eot_id|>", "4<|eot_id|>")]
    [InlineData("mistral-7b-instruct-v0.3", "<s>", "</s>", " 4</s>")]
    [InlineData("mistral-nemo-instruct-2407", "<s>", "</s>", "4</s>")]
    [InlineData("smollm2-instruct", "<|im_start|>", "<|im_end|>", "4<|im_end|>\n")]
    [InlineData("gemma-2-it", "<bos>", "<eos>", "4<end_of_turn>\n")]
    [InlineData("phi-3.5-mini-instruct", "<s>", "<|endoftext|>", "4<|end|>\n<|endoftext|>")]
    [InlineData("zephyr-7b-beta", "<s>", "</s>", "4</s>\n")]
    public void RealTemplatesGiveTheResponseAsTheConversationMinusThePrompt(string template, string? bos, string eos, string expected)
    {
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "HuggingFace", "Templates", template + ".jinja"));
        var tokens = Tokens("qwen2-tiny", source, bos, eos);
        Assert.Equal(expected, tokens.ResponseText(Question, "4"));
    }

    [Fact]
    public void ATemplateWhosePromptIsNotAPrefixOfTheConversationIsAnErrorAsInTrl()
    {
        // DeepSeek-R1's generation prompt ends with "<think>\n", which its rendering of a finished conversation lacks.
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "HuggingFace", "Templates", "deepseek-r1-distill.jinja"));
        var tokens = Tokens("qwen2-tiny", source, "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>");
        var error = Assert.Throws<ChatTemplateException>(() => tokens.ResponseText(Question, "4"));
        Assert.Contains("not a prefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATemplateThatRaisesNamesItsOwnMessage()
    {
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "HuggingFace", "Templates", "gemma-2-it.jinja"));
        var tokens = Tokens("qwen2-tiny", source, "<bos>", "<eos>");
        var error = Assert.Throws<ChatTemplateException>(() => tokens.EncodePrompt(PromptText.FromMessages([new ChatMessage("system", "x"), new ChatMessage("user", "y")])));
        Assert.Contains("System role not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MessagePromptsWithoutATemplateAreRefusedClearly()
    {
        var tokens = Tokens("qwen2-tiny", null);
        var error = Assert.Throws<ChatTemplateException>(() => tokens.EncodePrompt(Question));
        Assert.Contains("has no chat template", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MessagePromptsSampleThroughTheTemplate()
    {
        var path = TinyCheckpoints.Write("llama3-tiny", folder.Path);
        using var policy = PolicyModel.Load(path, CPU);
        var samples = Sampler.Sample(policy, [Question, Question], ["a", "b"], 2, new SamplingOptions { Temperature = 0, MaxNewTokens = 5 });
        Assert.Equal(4, samples.Count);
        // Greedy: the same prompt gives the same continuation, which is what the template's prompt tokens continue into.
        Assert.Equal(samples[0].TokenIds, samples[2].TokenIds);
        var direct = Sampler.SampleTokens(policy, [policy.EncodePrompt(Question)], ["a"], 1, new SamplingOptions { Temperature = 0, MaxNewTokens = 5 });
        Assert.Equal(direct[0].TokenIds, samples[0].TokenIds);
    }

    public void Dispose() => folder.Dispose();
}

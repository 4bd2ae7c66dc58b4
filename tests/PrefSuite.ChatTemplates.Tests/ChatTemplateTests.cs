using System.Text.Json.Nodes;

namespace PrefSuite.ChatTemplates.Tests;

/// <summary>The public API: what Apply passes to the template, how errors carry the template's name, line and message.</summary>
public sealed class ChatTemplateTests
{
    private static JsonArray Messages(params (string Role, string Content)[] turns) =>
        [.. turns.Select(turn => (JsonNode)new JsonObject { ["role"] = turn.Role, ["content"] = turn.Content })];

    [Fact]
    public void ApplyPassesMessagesGenerationPromptAndSpecialTokens()
    {
        var template = ChatTemplate.Parse("{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}", "t");

        var text = template.Apply(Messages(("user", "hi")), addGenerationPrompt: true, "<s>", "</s>");

        Assert.Equal("<s><user>hi</s><assistant>", text);
    }

    [Fact]
    public void ApplyLeavesANullTokenUndefinedAndPassesToolsAndDocumentsAsNone()
    {
        var template = ChatTemplate.Parse("{{ bos_token is defined }} {{ eos_token }} {{ tools is none }} {{ documents is none }} {{ tools is defined }}", "t");

        var text = template.Apply([], addGenerationPrompt: false, bosToken: null, eosToken: "E");

        Assert.Equal("False E True True True", text);
    }

    [Fact]
    public void ApplyExtraVariablesReplaceTheDefaults()
    {
        var template = ChatTemplate.Parse("{{ tools|length }} {{ enable_thinking }} {{ enable_thinking is false }}", "t");
        var extra = new Dictionary<string, JsonNode?> { ["tools"] = new JsonArray(new JsonObject { ["type"] = "function" }), ["enable_thinking"] = false };

        var text = template.Apply([], addGenerationPrompt: false, null, null, extra);

        Assert.Equal("1 False True", text);
    }

    [Theory]
    [InlineData("messages")]
    [InlineData("add_generation_prompt")]
    public void ApplyRefusesExtraVariablesThatDuplicateItsArguments(string name)
    {
        var template = ChatTemplate.Parse("x", "t");

        Assert.Throws<ArgumentException>(() => template.Apply([], false, null, null, new Dictionary<string, JsonNode?> { [name] = true }));
    }

    [Fact]
    public void ApplyExtraVariablesMayReplaceTheSpecialTokens()
    {
        var template = ChatTemplate.Parse("{{ bos_token }}", "t");

        Assert.Equal("<B>", template.Apply([], false, "<s>", null, new Dictionary<string, JsonNode?> { ["bos_token"] = "<B>" }));
    }

    [Fact]
    public void NumbersKeepPythonsIntAndFloatDistinction()
    {
        var template = ChatTemplate.Parse("{{ a }} {{ b }} {{ c }} {{ d }} {{ [a, b, c, d]|tojson }}", "t");
        var variables = new Dictionary<string, JsonNode?>
        {
            ["a"] = 1,
            ["b"] = 1.0,
            ["c"] = JsonNode.Parse("2.50"),
            ["d"] = JsonNode.Parse("3"),
        };

        Assert.Equal("1 1.0 2.5 3 [1, 1.0, 2.5, 3]", template.Render(variables));
    }

    [Fact]
    public void RaiseExceptionThrowsWithTheTemplatesMessageNameAndLine()
    {
        var template = ChatTemplate.Parse("{% for m in messages %}\n{% if m.role == 'system' %}\n{{ raise_exception('System role not supported') }}\n{% endif %}\n{% endfor %}", "gemma-like");

        var error = Assert.Throws<ChatTemplateException>(() => template.Apply(Messages(("system", "s")), false, null, null));

        Assert.Equal("gemma-like", error.TemplateName);
        Assert.Equal(3, error.Line);
        Assert.Equal("raise_exception", error.Construct);
        Assert.Equal("System role not supported", error.Detail);
        Assert.Contains("System role not supported", error.Message, StringComparison.Ordinal);
        Assert.Contains("gemma-like", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RuntimeErrorsNameTheStatementLineAndPythonsErrorKind()
    {
        var template = ChatTemplate.Parse("a\n{% set x = 1 %}\n{% if messages[0].content + 1 %}{% endif %}", "t");

        var error = Assert.Throws<ChatTemplateException>(() => template.Apply(Messages(("user", "hi")), false, null, null));

        Assert.Equal(3, error.Line);
        Assert.Equal("{% if %}", error.Construct);
        Assert.Contains("TypeError: can only concatenate str (not \"int\") to str", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UndefinedAttributeOfUndefinedIsAnUndefinedError()
    {
        var template = ChatTemplate.Parse("{{ messages[3].role }}", "t");

        var error = Assert.Throws<ChatTemplateException>(() => template.Apply(Messages(("user", "hi")), false, null, null));

        Assert.Contains("UndefinedError: list object has no element 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StrftimeNowReadsTheGivenClocksLocalTime()
    {
        var template = ChatTemplate.Parse("{{ strftime_now('%d %b %Y %H:%M') }}", "t").WithClock(ReferenceFixture.FrozenClock);

        Assert.Equal("14 Mar 2025 12:00", template.Render(new Dictionary<string, JsonNode?>()));
    }

    [Fact]
    public void AParsedTemplateRendersConcurrentlyWithoutSharingState()
    {
        var template = ReferenceFixture.Template("qwen3");
        var expected = template.Apply(Messages(("user", "hi"), ("assistant", "<think>r</think>ok")), true, null, "<|im_end|>");

        var results = Enumerable.Range(0, 64).AsParallel()
            .Select(_ => template.Apply(Messages(("user", "hi"), ("assistant", "<think>r</think>ok")), true, null, "<|im_end|>"))
            .ToList();

        Assert.All(results, text => Assert.Equal(expected, text));
    }

    [Fact]
    public void TemplateNameIsKept()
    {
        Assert.Equal("zephyr", ChatTemplate.Parse("x", "zephyr").Name);
    }
}

using System.Text.Json.Nodes;

namespace PrefSuite.ChatTemplates.Tests;

/// <summary>Small templates, one language rule each (whitespace, loops, scoping, macros, filters, tests, ...), compared
/// with what Jinja2 renders for them in transformers' environment. Cases marked "refused" are ones Jinja2 renders with
/// a memory address in them: the renderer must refuse those rather than print something else.</summary>
public sealed class LanguageFixtureTests
{
    public static TheoryData<string> LanguageCaseIds()
    {
        var ids = new TheoryData<string>();
        foreach (var node in ReferenceFixture.LanguageCases)
        {
            ids.Add((string)node!["id"]!);
        }

        return ids;
    }

    [Theory]
    [MemberData(nameof(LanguageCaseIds))]
    public void RenderMatchesJinjaForEachLanguageRule(string id)
    {
        var expected = ReferenceFixture.Case(ReferenceFixture.LanguageCases, id);
        var variables = expected["variables"]!.AsObject().ToDictionary(pair => pair.Key, pair => pair.Value?.DeepClone());
        string Render() => ChatTemplate.Parse((string)expected["source"]!, id).WithClock(ReferenceFixture.FrozenClock).Render(variables);

        if (expected["refused"] is not null)
        {
            Assert.Throws<ChatTemplateException>(Render);
            return;
        }

        if (expected["output"] is JsonNode output)
        {
            Assert.Equal((string)output!, Render());
            return;
        }

        var error = Assert.Throws<ChatTemplateException>(Render);
        Assert.Equal(id, error.TemplateName);
        if ((string?)expected["error"]!["type"] == "TemplateError")
        {
            Assert.Contains((string)expected["error"]!["message"]!, error.Message, StringComparison.Ordinal);
        }
    }
}

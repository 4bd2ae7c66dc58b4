using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace PrefSuite.ChatTemplates.Tests;

/// <summary>Every chat template over every conversation of the fixture, compared byte for byte with Jinja2's output.</summary>
public sealed class ChatTemplateFixtureTests
{
    public static TheoryData<string> TemplateCaseIds()
    {
        var ids = new TheoryData<string>();
        foreach (var node in ReferenceFixture.TemplateCases)
        {
            ids.Add((string)node!["id"]!);
        }

        return ids;
    }

    public static TheoryData<string> TemplateNames()
    {
        var names = new TheoryData<string>();
        foreach (var entry in ReferenceFixture.Templates)
        {
            names.Add((string)entry["name"]!);
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(TemplateCaseIds))]
    public void ApplyRendersEachTemplateCaseExactlyAsJinjaDoes(string id)
    {
        var expected = ReferenceFixture.Case(ReferenceFixture.TemplateCases, id);
        var name = (string)expected["template"]!;
        var entry = ReferenceFixture.TemplateEntry(name);
        var template = ReferenceFixture.Template(name);
        var messages = ReferenceFixture.Conversation((string)expected["conversation"]!);
        var addGenerationPrompt = (bool)expected["add_generation_prompt"]!;
        var extra = ReferenceFixture.Extra((string)expected["extra"]!);
        string Render() => template.Apply(messages, addGenerationPrompt, (string?)entry["bos_token"], (string?)entry["eos_token"], extra);

        if (expected["output"] is JsonNode output)
        {
            Assert.Equal((string)output!, Render());
            return;
        }

        var error = Assert.Throws<ChatTemplateException>(Render);
        Assert.Equal(name, error.TemplateName);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        if ((string?)expected["error"]!["type"] == "TemplateError")
        {
            Assert.Equal("raise_exception", error.Construct);
            Assert.Contains((string)expected["error"]!["message"]!, error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(TemplateNames))]
    public void EachTemplateCopyIsByteIdenticalToItsRecordedSource(string name)
    {
        var entry = ReferenceFixture.TemplateEntry(name);
        var bytes = File.ReadAllBytes(Path.Combine(ReferenceFixture.TemplatesDirectory, (string)entry["file"]!));
        Assert.Equal((string)entry["sha256"]!, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Theory]
    [MemberData(nameof(TemplateNames))]
    public void EachTemplateHasSuccessfulCasesWithAndWithoutTheGenerationPrompt(string name)
    {
        var cases = ReferenceFixture.TemplateCases.Select(node => node!.AsObject())
            .Where(node => (string?)node["template"] == name && node["output"] is not null).ToList();
        Assert.Contains(cases, node => (bool)node["add_generation_prompt"]!);
        Assert.Contains(cases, node => !(bool)node["add_generation_prompt"]!);
    }
}

using System.Text.Json.Nodes;

namespace PrefSuite.ChatTemplates.Tests.Parsing;

/// <summary>Constructs the renderer does not support fail at parse time with the construct and its line.</summary>
public sealed class UnsupportedConstructTests
{
    [Theory]
    [InlineData("{% include 'header.jinja' %}", "{% include %}")]
    [InlineData("{% extends 'base.jinja' %}", "{% extends %}")]
    [InlineData("{% import 'macros.jinja' as m %}", "{% import %}")]
    [InlineData("{% from 'macros.jinja' import m %}", "{% from %}")]
    [InlineData("{% block body %}x{% endblock %}", "{% block %}")]
    [InlineData("{% autoescape true %}x{% endautoescape %}", "{% autoescape %}")]
    [InlineData("{% for x in xs recursive %}{{ loop(x) }}{% endfor %}", "{% for ... recursive %}")]
    [InlineData("{{ f(*args) }}", "f(*args, **kwargs)")]
    [InlineData("{{ f(**kwargs) }}", "f(*args, **kwargs)")]
    [InlineData("{{ x|escape }}", "filter 'escape'")]
    [InlineData("{{ x|urlize }}", "filter 'urlize'")]
    [InlineData("{{ x|groupby('a') }}", "filter 'groupby'")]
    public void UnsupportedConstructFailsAtParseNamingTheConstructAndLine(string statement, string construct)
    {
        var source = "line one\n{% set x = 1 %}\n  " + statement + "\n";

        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(source, "custom"));

        Assert.Equal("custom", error.TemplateName);
        Assert.Equal(3, error.Line);
        Assert.Equal(construct, error.Construct);
        Assert.Contains("custom", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains(construct, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{% do xs.append(1) %}", "Encountered unknown tag 'do'.")]
    [InlineData("{% endif %}", "Encountered unknown tag 'endif'.")]
    [InlineData("{{ x|frobnicate }}", "No filter named 'frobnicate'.")]
    [InlineData("{{ x is frobnicated }}", "No test named 'frobnicated'.")]
    [InlineData("{{ 1 + }}", "unexpected 'end of print statement'")]
    [InlineData("{% if true %}never closed", "Jinja was looking for the following tags: 'elif' or 'else' or 'endif'")]
    [InlineData("{# never closed", "Missing end of comment tag")]
    [InlineData("{{ (1 }}", "unexpected '}', expected ')'")]
    [InlineData("{% break %}", "'break' outside loop")]
    public void InvalidSyntaxFailsAtParseWithJinjasMessage(string source, string message)
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(source, "broken"));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Line);
    }

    [Theory]
    [InlineData("{{ x|frobnicate }}", "No filter named 'frobnicate' found.")]
    [InlineData("{{ x is frobnicated }}", "No test named 'frobnicated' found.")]
    [InlineData("{{ x|escape }}", "the 'escape' filter")]
    public void AnUnknownFilterInsideAnIfFailsOnlyWhenItRuns(string statement, string message)
    {
        // Jinja2 compiles if-statements and inline ifs in a "soft" frame: a missing filter or test there is a runtime error.
        var template = ChatTemplate.Parse("{% if run %}\n" + statement + "\n{% endif %}{{ x|frobnicate if run else 'n' }}", "soft");

        Assert.Equal("n", template.Render(new Dictionary<string, JsonNode?> { ["run"] = false }));
        var error = Assert.Throws<ChatTemplateException>(() => template.Render(new Dictionary<string, JsonNode?> { ["run"] = true }));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void SyntaxErrorReportsTheLineOfTheOffendingTag()
    {
        var source = "{% for m in messages %}\n{{ m.content }}\n{% endfor %}\n\n{{ m.role ! }}";

        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(source, "t"));

        Assert.Equal(5, error.Line);
    }
}

using PrefSuite.ChatTemplates.Lexing;

namespace PrefSuite.ChatTemplates.Tests.Lexing;

/// <summary>The token stream itself: what whitespace control leaves as text, and the lines tokens report.</summary>
public sealed class LexerTests
{
    private static List<string> DataTokens(string source) =>
        Lexer.Tokenize(source, "t").Where(token => token.Kind == TokenKind.Data).Select(token => token.Text).ToList();

    [Fact]
    public void BlockTagsTrimTheFollowingNewlineAndTheIndentBeforeThem()
    {
        Assert.Equal(["x\n", "  y\n"], DataTokens("x\n  {% if a %}\n  y\n  {% endif %}\n"));
    }

    [Fact]
    public void VariableTagsKeepSurroundingWhitespaceUnlessMarkedWithMinus()
    {
        Assert.Equal(["a\n  ", "\n"], DataTokens("a\n  {{ x }}\n\n"));
        Assert.Equal(["a", "b"], DataTokens("a\n  {{- x -}}\n  b"));
    }

    [Fact]
    public void CrLfSourceIsNormalisedAndOneTrailingNewlineDropped()
    {
        Assert.Equal(["a\nb\n"], DataTokens("a\r\nb\r\n\r\n"));
    }

    [Fact]
    public void TokensReportTheLineTheyStartOn()
    {
        var tokens = Lexer.Tokenize("a\n{% if x %}\n{{\n y }}{% endif %}", "t");

        Assert.Equal(2, tokens.First(token => token.IsName("if")).Line);
        Assert.Equal(4, tokens.First(token => token.IsName("y")).Line);
        Assert.Equal(TokenKind.Eof, tokens[^1].Kind);
    }

    [Fact]
    public void ClosingBracesInsideADictLiteralDoNotEndTheTag()
    {
        var tokens = Lexer.Tokenize("{{ {'a': {'b': 1}} }}", "t");

        Assert.Equal(4, tokens.Count(token => token.Kind == TokenKind.Operator && token.Text is "{" or "}"));
        Assert.Single(tokens, token => token.Kind == TokenKind.VariableEnd);
    }

    [Fact]
    public void StringLiteralsDecodePythonEscapesAndKeepUnknownOnes()
    {
        var token = Lexer.Tokenize(@"{{ 'a\n\x41\u00e9\d' }}", "t").Single(token => token.Kind == TokenKind.String);

        Assert.Equal("a\nAé\\d", token.Value);
    }
}

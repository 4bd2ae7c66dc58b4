namespace PrefSuite.ChatTemplates.Lexing;

/// <summary>The kinds of token Jinja2's lexer hands its parser (comments and whitespace are dropped).</summary>
internal enum TokenKind
{
    Data,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    Eof,
}

/// <summary>One token: its kind, its source text (an operator's symbol, a name), its value and its 1-based line.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, object? Value = null)
{
    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;

    public bool IsOperator(string symbol) => Kind == TokenKind.Operator && Text == symbol;

    /// <summary>How Jinja2 names a token in "unexpected ..." messages.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.Eof => "end of template",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.VariableEnd => "end of print statement",
        TokenKind.BlockBegin => "begin of statement block",
        TokenKind.VariableBegin => "begin of print statement",
        TokenKind.Data => "template data",
        _ => Text,
    };
}

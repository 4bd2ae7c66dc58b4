using PrefSuite.ChatTemplates.Lexing;

namespace PrefSuite.ChatTemplates.Parsing;

/// <summary>The parser's cursor over the token list; the last token is always <see cref="TokenKind.Eof"/>.</summary>
internal sealed class TokenStream
{
    private readonly List<Token> _tokens;
    private int _index;

    public TokenStream(List<Token> tokens)
    {
        _tokens = tokens;
    }

    public Token Current => _tokens[_index];

    public Token Look() => _tokens[Math.Min(_index + 1, _tokens.Count - 1)];

    public Token Next()
    {
        var token = Current;
        if (_index < _tokens.Count - 1)
        {
            _index++;
        }

        return token;
    }

    public bool SkipIfName(string name)
    {
        if (!Current.IsName(name))
        {
            return false;
        }

        Next();
        return true;
    }

    public bool SkipIfOperator(string symbol)
    {
        if (!Current.IsOperator(symbol))
        {
            return false;
        }

        Next();
        return true;
    }
}

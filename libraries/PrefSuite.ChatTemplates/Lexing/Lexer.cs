using PrefSuite.ChatTemplates.Runtime;

namespace PrefSuite.ChatTemplates.Lexing;

/// <summary>Jinja2's lexer for transformers' environment: default delimiters, <c>trim_blocks</c> (a block or comment
/// tag eats the one newline after it), <c>lstrip_blocks</c> (a block or comment tag alone on its line eats the
/// indentation before it), <c>-</c> and <c>+</c> modifiers, <c>{% raw %}</c>, and one trailing newline of the source
/// dropped (<c>keep_trailing_newline=False</c>).</summary>
internal sealed partial class Lexer
{
    private const bool TrimBlocks = true;
    private const bool LStripBlocks = true;

    private static readonly string[] Operators =
    [
        "**", "//", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ];

    private readonly string _source;
    private readonly string _templateName;
    private readonly List<Token> _tokens = [];
    private readonly List<int> _lineStarts = [0];
    private int _position;

    /// <summary>Whether the last thing consumed ended with a newline (Jinja2's line_starting): lstrip_blocks
    /// may then strip indentation at the very start of the next text.</summary>
    private bool _lineStarting = true;

    private Lexer(string source, string templateName)
    {
        _source = source;
        _templateName = templateName;
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    public static List<Token> Tokenize(string source, string templateName)
    {
        var lexer = new Lexer(Normalize(source), templateName);
        lexer.Run();
        return lexer._tokens;
    }

    /// <summary>Every newline sequence becomes "\n"; one trailing newline is dropped.</summary>
    private static string Normalize(string source)
    {
        var text = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    private void Run()
    {
        while (_position < _source.Length)
        {
            var start = FindTagStart(_position);
            if (start < 0)
            {
                Emit(TokenKind.Data, _source[_position..], _position);
                _position = _source.Length;
                break;
            }

            var rawLength = MatchRawBegin(start);
            var kind = rawLength > 0 ? TagKind.Raw : _source[start + 1] switch
            {
                '{' => TagKind.Variable,
                '%' => TagKind.Block,
                _ => TagKind.Comment,
            };
            var sign = start + 2 < _source.Length && _source[start + 2] is '-' or '+' ? _source[start + 2] : '\0';
            EmitText(_source[_position..start], _position, sign, kind == TagKind.Variable);
            _lineStarting = false;
            switch (kind)
            {
                case TagKind.Raw:
                    _position = start + rawLength;
                    _lineStarting = _source[_position - 1] == '\n';
                    LexRaw();
                    break;
                case TagKind.Comment:
                    _position = start + 2 + (sign == '\0' ? 0 : 1);
                    LexComment(start);
                    break;
                default:
                    _position = start + 2 + (sign == '\0' ? 0 : 1);
                    var begin = kind == TagKind.Variable ? TokenKind.VariableBegin : TokenKind.BlockBegin;
                    Emit(begin, _source[start.._position], start);
                    LexTag(kind);
                    break;
            }
        }

        _tokens.Add(new Token(TokenKind.Eof, "", LineAt(_source.Length)));
    }

    private enum TagKind
    {
        Variable,
        Block,
        Comment,
        Raw,
    }

    /// <summary>The text before a tag, with "-" (strip all whitespace before) or lstrip_blocks applied.</summary>
    private void EmitText(string text, int offset, char sign, bool isVariable)
    {
        if (sign == '-')
        {
            text = RStrip(text);
        }
        else if (sign != '+' && LStripBlocks && !isVariable)
        {
            var lineStart = text.LastIndexOf('\n') + 1;
            if ((lineStart > 0 || _lineStarting) && lineStart < text.Length && IsAllSpace(text, lineStart))
            {
                text = text[..lineStart];
            }
        }

        Emit(TokenKind.Data, text, offset);
    }

    private int FindTagStart(int from)
    {
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Length of <c>{%[-+]? raw [-]%}</c> at <paramref name="start"/> (with the whitespace "-%}" eats), or 0.</summary>
    private int MatchRawBegin(int start)
    {
        if (_source[start + 1] != '%')
        {
            return 0;
        }

        var i = start + 2;
        if (i < _source.Length && _source[i] is '-' or '+')
        {
            i++;
        }

        i = SkipSpace(i);
        if (string.CompareOrdinal(_source, i, "raw", 0, 3) != 0)
        {
            return 0;
        }

        i = SkipSpace(i + 3);
        if (At(i, "-%}"))
        {
            return SkipSpace(i + 3) - start;
        }

        return At(i, "%}") ? i + 2 - start : 0;
    }

    /// <summary>The body of a raw block up to <c>{% endraw %}</c>, emitted as text.</summary>
    private void LexRaw()
    {
        for (var i = _source.IndexOf("{%", _position, StringComparison.Ordinal); i >= 0; i = _source.IndexOf("{%", i + 1, StringComparison.Ordinal))
        {
            var j = i + 2;
            var sign = j < _source.Length && _source[j] is '-' or '+' ? _source[j] : '\0';
            if (sign != '\0')
            {
                j++;
            }

            j = SkipSpace(j);
            if (string.CompareOrdinal(_source, j, "endraw", 0, 6) != 0)
            {
                continue;
            }

            var end = MatchBlockEnd(SkipSpace(j + 6));
            if (end < 0)
            {
                continue;
            }

            EmitText(_source[_position..i], _position, sign, isVariable: false);
            _position = end;
            _lineStarting = _source[end - 1] == '\n';
            return;
        }

        throw Error(LineAt(_position), "{% raw %}", "Missing end of raw directive");
    }

    /// <summary>A comment up to the first <c>#}</c>; trim_blocks and "-" apply after it.</summary>
    private void LexComment(int start)
    {
        if (_position >= _source.Length)
        {
            // Jinja2's lexer stops quietly when "{#" is the very end of the source: nothing is left to fail on.
            return;
        }

        var close = _source.IndexOf("#}", _position, StringComparison.Ordinal);
        if (close < 0)
        {
            throw Error(LineAt(start), "{# comment #}", "Missing end of comment tag");
        }

        var sign = close > _position && _source[close - 1] is '-' or '+' ? _source[close - 1] : '\0';
        _position = close + 2;
        if (sign == '-')
        {
            _position = SkipSpace(_position);
        }
        else if (sign != '+' && TrimBlocks && _position < _source.Length && _source[_position] == '\n')
        {
            _position++;
        }

        _lineStarting = _source[_position - 1] == '\n';
    }

    /// <summary>Where a block's end (<c>%}</c>, <c>-%}</c>, <c>+%}</c>) at <paramref name="i"/> stops consuming, or -1.</summary>
    private int MatchBlockEnd(int i)
    {
        if (At(i, "+%}"))
        {
            return i + 3;
        }

        if (At(i, "-%}"))
        {
            return SkipSpace(i + 3);
        }

        if (At(i, "%}"))
        {
            return TrimBlocks && i + 2 < _source.Length && _source[i + 2] == '\n' ? i + 3 : i + 2;
        }

        return -1;
    }

    private int MatchVariableEnd(int i) => At(i, "-}}") ? SkipSpace(i + 3) : At(i, "}}") ? i + 2 : -1;

    /// <summary>The inside of <c>{{ }}</c> or <c>{% %}</c>: names, literals and operators up to the closing delimiter,
    /// which only counts while brackets are balanced.</summary>
    private void LexTag(TagKind kind)
    {
        var brackets = new Stack<char>();
        var tagStart = _position;
        while (true)
        {
            if (_position >= _source.Length)
            {
                throw Error(LineAt(tagStart), kind == TagKind.Block ? "{% ... %}" : "{{ ... }}", "unexpected end of template");
            }

            if (brackets.Count == 0)
            {
                var end = kind == TagKind.Block ? MatchBlockEnd(_position) : MatchVariableEnd(_position);
                if (end >= 0)
                {
                    Emit(kind == TagKind.Block ? TokenKind.BlockEnd : TokenKind.VariableEnd, _source[_position..end], _position);
                    _position = end;
                    _lineStarting = _source[end - 1] == '\n';
                    return;
                }
            }

            var c = _source[_position];
            if (PyText.IsSpace(c))
            {
                _position++;
                continue;
            }

            if (TryNumber() || TryName() || TryString())
            {
                continue;
            }

            var op = Array.Find(Operators, symbol => At(_position, symbol));
            if (op is null)
            {
                throw Error(LineAt(_position), "{{ ... }}", $"unexpected char {Runtime.Py.StrRepr(c.ToString())} at {_position}");
            }

            TrackBrackets(brackets, op);
            Emit(TokenKind.Operator, op, _position);
            _position += op.Length;
        }
    }

    private void TrackBrackets(Stack<char> brackets, string op)
    {
        switch (op)
        {
            case "{":
                brackets.Push('}');
                break;
            case "(":
                brackets.Push(')');
                break;
            case "[":
                brackets.Push(']');
                break;
            case "}" or ")" or "]":
                if (brackets.Count == 0)
                {
                    throw Error(LineAt(_position), "{{ ... }}", $"unexpected '{op}'");
                }

                var expected = brackets.Pop();
                if (expected != op[0])
                {
                    throw Error(LineAt(_position), "{{ ... }}", $"unexpected '{op}', expected '{expected}'");
                }

                break;
        }
    }

    private void Emit(TokenKind kind, string text, int offset, object? value = null)
    {
        if (kind == TokenKind.Data && text.Length == 0)
        {
            return;
        }

        _tokens.Add(new Token(kind, text, LineAt(offset), value));
    }

    private int LineAt(int offset)
    {
        var index = _lineStarts.BinarySearch(offset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }

    private bool At(int i, string text) => i + text.Length <= _source.Length && string.CompareOrdinal(_source, i, text, 0, text.Length) == 0;

    private int SkipSpace(int i)
    {
        while (i < _source.Length && PyText.IsSpace(_source[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsAllSpace(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (!PyText.IsSpace(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string RStrip(string text)
    {
        var end = text.Length;
        while (end > 0 && PyText.IsSpace(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }

    private ChatTemplateException Error(int line, string construct, string message) =>
        new(_templateName, line, construct, "TemplateSyntaxError: " + message);
}

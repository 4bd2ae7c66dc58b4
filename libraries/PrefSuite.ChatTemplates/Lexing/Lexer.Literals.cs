using System.Globalization;
using System.Text.RegularExpressions;

namespace PrefSuite.ChatTemplates.Lexing;

/// <summary>Names, string literals and numbers inside a tag.</summary>
internal sealed partial class Lexer
{
    private bool TryName()
    {
        var i = _position;
        while (i < _source.Length && IsWordChar(_source, i))
        {
            i += char.IsSurrogatePair(_source, i) ? 2 : 1;
        }

        if (i == _position)
        {
            return false;
        }

        var name = _source[_position..i];
        if (char.IsDigit(name[0]))
        {
            throw Error(LineAt(_position), "{{ ... }}", "Invalid character in identifier");
        }

        Emit(TokenKind.Name, name, _position);
        _position = i;
        return true;
    }

    private static bool IsWordChar(string text, int i)
    {
        var category = CharUnicodeInfo.GetUnicodeCategory(text, i);
        return text[i] == '_' || category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation;
    }

    private bool TryString()
    {
        var quote = _source[_position];
        if (quote is not ('\'' or '"'))
        {
            return false;
        }

        var i = _position + 1;
        while (i < _source.Length && _source[i] != quote)
        {
            i += _source[i] == '\\' ? 2 : 1;
        }

        if (i >= _source.Length)
        {
            throw Error(LineAt(_position), "{{ ... }}", $"unexpected char {Runtime.Py.StrRepr(quote.ToString())} at {_position}");
        }

        var value = StringLiteral.Decode(_source[(_position + 1)..i], out var error)
            ?? throw Error(LineAt(_position), "string literal", error!);
        Emit(TokenKind.String, _source[_position..(i + 1)], _position, value);
        _position = i + 1;
        return true;
    }

    /// <summary>A float (<c>1.5</c>, <c>1e3</c>, <c>1_000.5</c>) or an integer (<c>42</c>, <c>0x1F</c>, <c>0o17</c>, <c>0b101</c>).</summary>
    private bool TryNumber()
    {
        if (!char.IsAsciiDigit(_source[_position]))
        {
            return false;
        }

        var line = LineAt(_position);
        var match = FloatPattern().Match(_source, _position);
        if (match.Success)
        {
            var text = match.Value;
            var value = double.Parse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
            Emit(TokenKind.Float, text, _position, value);
            _position += text.Length;
            return true;
        }

        match = IntegerPattern().Match(_source, _position);
        if (!match.Success)
        {
            return false;
        }

        var digits = match.Value.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var (numberBase, body) = digits.Length > 1 && digits[0] == '0' && digits[1] is 'x' or 'o' or 'b'
            ? (digits[1] switch { 'x' => 16, 'o' => 8, _ => 2 }, digits[2..])
            : (10, digits);
        long integer = 0;
        try
        {
            foreach (var c in body)
            {
                integer = checked((integer * numberBase) + (char.IsAsciiDigit(c) ? c - '0' : c - 'a' + 10));
            }
        }
        catch (OverflowException)
        {
            throw Error(line, "integer literal", $"{match.Value} does not fit a 64-bit integer (Python's ints are unbounded)");
        }

        Emit(TokenKind.Integer, match.Value, _position, integer);
        _position += match.Length;
        return true;
    }

    [GeneratedRegex(@"\G(?<!\.)([0-9]+_)*[0-9]+((\.([0-9]+_)*[0-9]+)?[eE][+\-]?([0-9]+_)*[0-9]+|\.([0-9]+_)*[0-9]+)")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"\G(0[bB](_?[01])+|0[oO](_?[0-7])+|0[xX](_?[0-9a-fA-F])+|[1-9](_?[0-9])*|0(_?0)*)")]
    private static partial Regex IntegerPattern();
}

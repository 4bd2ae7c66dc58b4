using System.Globalization;
using System.Text;

namespace PrefSuite.ChatTemplates.Lexing;

/// <summary>Decodes a string literal's body as Jinja2 does: encode as ASCII with backslash escapes for the other
/// characters, then decode Python's "unicode-escape" (so <c>\n</c>, <c>\x41</c>, <c>\u00e9</c> work and unknown
/// escapes such as <c>\d</c> stay as written).</summary>
internal static class StringLiteral
{
    /// <returns>The decoded text, or null with <paramref name="error"/> set when an escape is malformed.</returns>
    public static string? Decode(string body, out string? error)
    {
        error = null;
        var ascii = ToAsciiWithEscapes(body);
        var output = new StringBuilder(ascii.Length);
        var i = 0;
        while (i < ascii.Length)
        {
            var c = ascii[i++];
            if (c != '\\')
            {
                output.Append(c);
                continue;
            }

            if (i >= ascii.Length)
            {
                error = "\\ at end of string";
                return null;
            }

            var escape = ascii[i++];
            switch (escape)
            {
                case '\n':
                    break;
                case '\\' or '\'' or '"':
                    output.Append(escape);
                    break;
                case 'a':
                    output.Append('\a');
                    break;
                case 'b':
                    output.Append('\b');
                    break;
                case 'f':
                    output.Append('\f');
                    break;
                case 'n':
                    output.Append('\n');
                    break;
                case 'r':
                    output.Append('\r');
                    break;
                case 't':
                    output.Append('\t');
                    break;
                case 'v':
                    output.Append('\v');
                    break;
                case >= '0' and <= '7':
                    var code = escape - '0';
                    for (var n = 0; n < 2 && i < ascii.Length && ascii[i] is >= '0' and <= '7'; n++)
                    {
                        code = (code * 8) + (ascii[i++] - '0');
                    }

                    output.Append((char)code);
                    break;
                case 'x' or 'u' or 'U':
                    var length = escape == 'x' ? 2 : escape == 'u' ? 4 : 8;
                    if (i + length > ascii.Length || !int.TryParse(ascii.AsSpan(i, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
                        || !ascii.AsSpan(i, length).ContainsOnlyHex())
                    {
                        error = $"truncated \\{escape}{new string('X', length)} escape";
                        return null;
                    }

                    if (value > 0x10FFFF)
                    {
                        error = "illegal Unicode character";
                        return null;
                    }

                    i += length;
                    if (value is >= 0xD800 and <= 0xDFFF)
                    {
                        output.Append((char)value);
                    }
                    else
                    {
                        output.Append(char.ConvertFromUtf32(value));
                    }

                    break;
                case 'N':
                    error = "\\N{...} escapes are not supported";
                    return null;
                default:
                    output.Append('\\').Append(escape);
                    break;
            }
        }

        return output.ToString();
    }

    private static string ToAsciiWithEscapes(string body)
    {
        if (body.All(char.IsAscii))
        {
            return body;
        }

        var builder = new StringBuilder(body.Length + 16);
        for (var i = 0; i < body.Length; i++)
        {
            int code = body[i];
            if (char.IsSurrogatePair(body, i))
            {
                code = char.ConvertToUtf32(body[i], body[i + 1]);
                i++;
            }

            if (code < 0x80)
            {
                builder.Append((char)code);
            }
            else
            {
                builder.Append(code switch
                {
                    <= 0xff => string.Create(CultureInfo.InvariantCulture, $"\\x{code:x2}"),
                    <= 0xffff => string.Create(CultureInfo.InvariantCulture, $"\\u{code:x4}"),
                    _ => string.Create(CultureInfo.InvariantCulture, $"\\U{code:x8}"),
                });
            }
        }

        return builder.ToString();
    }
}

file static class HexExtensions
{
    public static bool ContainsOnlyHex(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

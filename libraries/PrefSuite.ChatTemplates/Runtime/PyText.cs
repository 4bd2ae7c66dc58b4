using System.Globalization;
using System.Text;

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Python str semantics over .NET strings: code points (not UTF-16 units), Python's whitespace, line breaks
/// and case mappings.</summary>
internal static class PyText
{
    /// <summary>Python's str.isspace for one code point (also what <c>\s</c> matches in Jinja2's lexer).</summary>
    public static bool IsSpace(int code) => code switch
    {
        >= 0x09 and <= 0x0d => true,
        >= 0x1c and <= 0x20 => true,
        0x85 or 0xa0 or 0x1680 or 0x2028 or 0x2029 or 0x202f or 0x205f or 0x3000 => true,
        >= 0x2000 and <= 0x200a => true,
        _ => false,
    };

    /// <summary>Line boundaries of Python's str.splitlines.</summary>
    public static bool IsLineBreak(int code) => code is '\n' or '\r' or 0x0b or 0x0c or 0x1c or 0x1d or 0x1e or 0x85 or 0x2028 or 0x2029;

    /// <summary>Python's str.isprintable for one code point.</summary>
    public static bool IsPrintable(int code)
    {
        if (code == ' ')
        {
            return true;
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(code);
        return category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);
    }

    public static bool HasSurrogates(string text) => text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>The code points of <paramref name="text"/>, each as a string (what iterating a Python str gives).</summary>
    public static List<string> Characters(string text)
    {
        var characters = new List<string>(text.Length);
        if (!HasSurrogates(text))
        {
            foreach (var c in text)
            {
                characters.Add(c.ToString());
            }

            return characters;
        }

        for (var i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            characters.Add(char.IsSurrogatePair(text, i) ? text.Substring(i, 2) : text[i].ToString());
        }

        return characters;
    }

    /// <summary>len() of a str: code points.</summary>
    public static int Length(string text)
    {
        if (!HasSurrogates(text))
        {
            return text.Length;
        }

        var count = 0;
        for (var i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            count++;
        }

        return count;
    }

    /// <summary>The UTF-16 offset of code point <paramref name="index"/> (0 ≤ index ≤ length).</summary>
    public static int Offset(string text, int index)
    {
        if (!HasSurrogates(text))
        {
            return index;
        }

        var offset = 0;
        for (var i = 0; i < index; i++)
        {
            offset += char.IsSurrogatePair(text, offset) ? 2 : 1;
        }

        return offset;
    }

    public static int[] CodePoints(string text)
    {
        var codes = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            codes.Add(rune.Value);
        }

        return [.. codes];
    }

    public static string FromCodePoints(IEnumerable<int> codes)
    {
        var builder = new StringBuilder();
        foreach (var code in codes)
        {
            AppendCodePoint(builder, code);
        }

        return builder.ToString();
    }

    private static void AppendCodePoint(StringBuilder builder, int code)
    {
        if (code is >= 0xD800 and <= 0xDFFF)
        {
            builder.Append((char)code);
        }
        else
        {
            builder.Append(char.ConvertFromUtf32(code));
        }
    }

    /// <summary>str.strip / lstrip / rstrip: whitespace when <paramref name="chars"/> is null, else those code points.</summary>
    public static string Strip(string text, string? chars, bool left = true, bool right = true)
    {
        var codes = CodePoints(text);
        var set = chars is null ? null : new HashSet<int>(CodePoints(chars));
        bool Strippable(int code) => set is null ? IsSpace(code) : set.Contains(code);
        var start = 0;
        var end = codes.Length;
        while (left && start < end && Strippable(codes[start]))
        {
            start++;
        }

        while (right && end > start && Strippable(codes[end - 1]))
        {
            end--;
        }

        return start == 0 && end == codes.Length ? text : FromCodePoints(codes[start..end]);
    }

    /// <summary>str.upper, with the special casings of Python (ß → SS, ligatures).</summary>
    public static string Upper(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            builder.Append(UpperOf(rune));
        }

        return builder.ToString();
    }

    /// <summary>str.lower, with Python's final sigma and dotted capital I.</summary>
    public static string Lower(string text)
    {
        var codes = CodePoints(text);
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < codes.Length; i++)
        {
            var code = codes[i];
            if (code == 0x3a3)
            {
                builder.Append(IsFinalSigma(codes, i) ? 'ς' : 'σ');
            }
            else if (code == 0x130)
            {
                builder.Append("i\u0307");
            }
            else
            {
                builder.Append(Rune.ToLowerInvariant(new Rune(code)).ToString());
            }
        }

        return builder.ToString();
    }

    /// <summary>str.capitalize: first character title-cased, the rest lower-cased.</summary>
    public static string Capitalize(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var first = Rune.GetRuneAt(text, 0);
        return TitleOf(first) + Lower(text[first.Utf16SequenceLength..]);
    }

    /// <summary>str.title: a cased character after an uncased one is upper-cased, other cased characters lower-cased.</summary>
    public static string Title(string text)
    {
        var builder = new StringBuilder(text.Length);
        var previousCased = false;
        foreach (var rune in text.EnumerateRunes())
        {
            var cased = IsCased(rune);
            builder.Append(cased ? (previousCased ? Lower(rune.ToString()) : TitleOf(rune)) : rune.ToString());
            previousCased = cased;
        }

        return builder.ToString();
    }

    public static string SwapCase(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            builder.Append(Rune.IsUpper(rune) ? Lower(rune.ToString()) : Rune.IsLower(rune) ? UpperOf(rune) : rune.ToString());
        }

        return builder.ToString();
    }

    public static bool IsCased(Rune rune) => Rune.IsUpper(rune) || Rune.IsLower(rune) ||
        Rune.GetUnicodeCategory(rune) == UnicodeCategory.TitlecaseLetter;

    /// <summary>str.islower / str.isupper: at least one cased character and none of the other case.</summary>
    public static bool HasOnlyCase(string text, bool lower)
    {
        var anyCased = false;
        foreach (var rune in text.EnumerateRunes())
        {
            if (lower ? Rune.IsUpper(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.TitlecaseLetter : Rune.IsLower(rune))
            {
                return false;
            }

            anyCased |= IsCased(rune);
        }

        return anyCased;
    }

    private static string UpperOf(Rune rune) => rune.Value switch
    {
        0xdf => "SS",
        0x149 => "\u02bcN",
        0xfb00 => "FF",
        0xfb01 => "FI",
        0xfb02 => "FL",
        0xfb03 => "FFI",
        0xfb04 => "FFL",
        0xfb05 or 0xfb06 => "ST",
        _ => Rune.ToUpperInvariant(rune).ToString(),
    };

    /// <summary>Title case of one character: upper case except for ligatures and digraphs (ß → Ss, ǆ → ǅ).</summary>
    private static string TitleOf(Rune rune) => rune.Value switch
    {
        0xdf => "Ss",
        0x149 => "\u02bcN",
        0xfb00 => "Ff",
        0xfb01 => "Fi",
        0xfb02 => "Fl",
        0xfb03 => "Ffi",
        0xfb04 => "Ffl",
        0xfb05 or 0xfb06 => "St",
        0x1c4 or 0x1c5 or 0x1c6 => "\u01c5",
        0x1c7 or 0x1c8 or 0x1c9 => "\u01c8",
        0x1ca or 0x1cb or 0x1cc => "\u01cb",
        0x1f1 or 0x1f2 or 0x1f3 => "\u01f2",
        _ => UpperOf(rune),
    };

    private static bool IsFinalSigma(int[] codes, int index)
    {
        static bool Cased(int code) => IsCased(new Rune(code));
        static bool Ignorable(int code) => CharUnicodeInfo.GetUnicodeCategory(code) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.EnclosingMark or UnicodeCategory.Format or UnicodeCategory.ModifierLetter
            or UnicodeCategory.ModifierSymbol || code is '\'' or 0x2019 or 0xad or ':' or '.';

        var before = index - 1;
        while (before >= 0 && Ignorable(codes[before]))
        {
            before--;
        }

        if (before < 0 || !Cased(codes[before]))
        {
            return false;
        }

        var after = index + 1;
        while (after < codes.Length && Ignorable(codes[after]))
        {
            after++;
        }

        return after >= codes.Length || !Cased(codes[after]);
    }
}

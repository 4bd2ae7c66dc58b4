using System.Text;

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>str.split, str.rsplit, str.splitlines and str.replace with Python's exact rules.</summary>
internal static class StringSplitting
{
    public static List<object?> Split(string s, string? separator, long maxSplit)
    {
        if (separator is null)
        {
            return SplitWhitespace(s, maxSplit);
        }

        if (separator.Length == 0)
        {
            throw TemplateRuntimeError.Value("empty separator");
        }

        var parts = new List<object?>();
        var start = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            var at = s.IndexOf(separator, start, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            parts.Add(s[start..at]);
            start = at + separator.Length;
        }

        parts.Add(s[start..]);
        return parts;
    }

    public static List<object?> RSplit(string s, string? separator, long maxSplit)
    {
        if (separator is null)
        {
            return RSplitWhitespace(s, maxSplit);
        }

        if (separator.Length == 0)
        {
            throw TemplateRuntimeError.Value("empty separator");
        }

        var parts = new List<object?>();
        var end = s.Length;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            var at = end - separator.Length < 0 ? -1 : s.LastIndexOf(separator, end - 1, end, StringComparison.Ordinal);
            if (at < 0 || at + separator.Length > end)
            {
                break;
            }

            parts.Insert(0, s[(at + separator.Length)..end]);
            end = at;
        }

        parts.Insert(0, s[..end]);
        return parts;
    }

    private static List<object?> SplitWhitespace(string s, long maxSplit)
    {
        var codes = PyText.CodePoints(s);
        var parts = new List<object?>();
        var i = 0;
        while (true)
        {
            while (i < codes.Length && PyText.IsSpace(codes[i]))
            {
                i++;
            }

            if (i >= codes.Length)
            {
                break;
            }

            if (maxSplit >= 0 && parts.Count == maxSplit)
            {
                var rest = codes[i..];
                var last = rest.Length;
                while (last > 0 && PyText.IsSpace(rest[last - 1]))
                {
                    last--;
                }

                parts.Add(PyText.FromCodePoints(rest[..last]));
                break;
            }

            var start = i;
            while (i < codes.Length && !PyText.IsSpace(codes[i]))
            {
                i++;
            }

            parts.Add(PyText.FromCodePoints(codes[start..i]));
        }

        return parts;
    }

    private static List<object?> RSplitWhitespace(string s, long maxSplit)
    {
        var codes = PyText.CodePoints(s);
        var parts = new List<object?>();
        var i = codes.Length;
        while (true)
        {
            while (i > 0 && PyText.IsSpace(codes[i - 1]))
            {
                i--;
            }

            if (i <= 0)
            {
                break;
            }

            if (maxSplit >= 0 && parts.Count == maxSplit)
            {
                var first = 0;
                while (first < i && PyText.IsSpace(codes[first]))
                {
                    first++;
                }

                parts.Insert(0, PyText.FromCodePoints(codes[first..i]));
                break;
            }

            var end = i;
            while (i > 0 && !PyText.IsSpace(codes[i - 1]))
            {
                i--;
            }

            parts.Insert(0, PyText.FromCodePoints(codes[i..end]));
        }

        return parts;
    }

    public static List<object?> SplitLines(string s, bool keepEnds)
    {
        var lines = new List<object?>();
        var start = 0;
        var i = 0;
        while (i < s.Length)
        {
            if (!PyText.IsLineBreak(s[i]))
            {
                i++;
                continue;
            }

            var breakLength = s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? 2 : 1;
            lines.Add(keepEnds ? s[start..(i + breakLength)] : s[start..i]);
            i += breakLength;
            start = i;
        }

        if (start < s.Length)
        {
            lines.Add(s[start..]);
        }

        return lines;
    }

    public static string Replace(string s, string old, string replacement, long count)
    {
        if (count == 0)
        {
            return s;
        }

        if (old.Length == 0)
        {
            var characters = PyText.Characters(s);
            var builder = new StringBuilder();
            var inserted = 0L;
            for (var i = 0; i <= characters.Count; i++)
            {
                if (count < 0 || inserted < count)
                {
                    builder.Append(replacement);
                    inserted++;
                }

                if (i < characters.Count)
                {
                    builder.Append(characters[i]);
                }
            }

            return builder.ToString();
        }

        if (count < 0)
        {
            return s.Replace(old, replacement, StringComparison.Ordinal);
        }

        var result = new StringBuilder();
        var start = 0;
        for (var done = 0L; done < count; done++)
        {
            var at = s.IndexOf(old, start, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            result.Append(s, start, at - start).Append(replacement);
            start = at + old.Length;
        }

        return result.Append(s, start, s.Length - start).ToString();
    }
}

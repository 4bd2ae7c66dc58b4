using System.Globalization;
using System.Text;

namespace PrefSuite.ChatTemplates.Runtime;

internal static partial class Methods
{
    private static readonly HashSet<string> StringMethodNames =
    [
        "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format", "format_map",
        "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric",
        "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition",
        "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split",
        "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill",
    ];

    /// <summary>A method of a str, or null when str has no such attribute.</summary>
    public static object? OfString(object receiver, string name)
    {
        if (!StringMethodNames.Contains(name))
        {
            return null;
        }

        if (receiver is Markup)
        {
            return new BoundMethod(receiver, name, (_, _) =>
                throw TemplateRuntimeError.Unsupported($"calling str.{name}() on a |safe (Markup) string, whose methods escape their arguments"));
        }

        var text = (string)receiver;
        return new BoundMethod(text, name, (args, _) => CallString(text, name, args));
    }

    private static object? CallString(string s, string name, CallArgs args)
    {
        switch (name)
        {
            case "startswith" or "endswith":
                return StartsOrEndsWith(s, name, args);
            case "split" or "rsplit":
            {
                var bound = args.Bind(name, 0, "sep", "maxsplit");
                var separator = OptionalText(bound[0], name);
                var max = bound[1] is Missing ? -1 : Py.AsIndex(bound[1], "maxsplit");
                var parts = name == "split" ? StringSplitting.Split(s, separator, max) : StringSplitting.RSplit(s, separator, max);
                return new PyList([.. parts]);
            }

            case "splitlines":
                var keepEnds = args.Bind(name, 0, "keepends")[0] is not Missing and var keep && Py.Truthy(keep);
                return new PyList([.. StringSplitting.SplitLines(s, keepEnds)]);
            case "strip" or "lstrip" or "rstrip":
                var chars = OptionalText(args.BindPositional(name, 0, "chars")[0], name);
                return PyText.Strip(s, chars, left: name != "rstrip", right: name != "lstrip");
            case "upper":
                return NoArguments(args, name, PyText.Upper(s));
            case "lower" or "casefold":
                return NoArguments(args, name, PyText.Lower(s));
            case "title":
                return NoArguments(args, name, PyText.Title(s));
            case "capitalize":
                return NoArguments(args, name, PyText.Capitalize(s));
            case "swapcase":
                return NoArguments(args, name, PyText.SwapCase(s));
            case "replace":
            {
                var bound = args.BindPositional(name, 2, "old", "new", "count");
                var count = bound[2] is Missing ? -1 : Py.AsIndex(bound[2], "count");
                return StringSplitting.Replace(s, RequireText(bound[0], name), RequireText(bound[1], name), count);
            }

            case "find" or "rfind" or "index" or "rindex" or "count":
                return Search(s, name, args);
            case "join":
            {
                var items = Py.Iterate(args.BindPositional(name, 1, "iterable")[0]);
                var texts = items.Select((item, i) => Py.AsText(item) ??
                    throw TemplateRuntimeError.Type($"sequence item {i}: expected str instance, {Py.TypeName(item)} found"));
                return string.Join(s, texts);
            }

            case "format":
                return PyFormat.Format(s, args);
            case "ljust" or "rjust" or "center":
            {
                var bound = args.BindPositional(name, 1, "width", "fillchar");
                var fill = bound[1] is Missing ? " " : RequireText(bound[1], name);
                if (PyText.Length(fill) != 1)
                {
                    throw TemplateRuntimeError.Type("The fill character must be exactly one character long");
                }

                return Pad(s, (int)Math.Min(Py.AsIndex(bound[0], "width"), 1_000_000), fill, name);
            }

            case "zfill":
            {
                var width = (int)Math.Min(Py.AsIndex(args.BindPositional(name, 1, "width")[0], "width"), 1_000_000);
                var length = PyText.Length(s);
                if (length >= width)
                {
                    return s;
                }

                var sign = s.Length > 0 && s[0] is '+' or '-' ? s[..1] : "";
                return sign + new string('0', width - length) + s[sign.Length..];
            }

            case "partition" or "rpartition":
            {
                var separator = RequireText(args.BindPositional(name, 1, "sep")[0], name);
                if (separator.Length == 0)
                {
                    throw TemplateRuntimeError.Value("empty separator");
                }

                var at = name == "partition" ? s.IndexOf(separator, StringComparison.Ordinal) : s.LastIndexOf(separator, StringComparison.Ordinal);
                if (at < 0)
                {
                    return name == "partition" ? PyList.Tuple(s, "", "") : PyList.Tuple("", "", s);
                }

                return PyList.Tuple(s[..at], separator, s[(at + separator.Length)..]);
            }

            case "removeprefix":
            {
                var prefix = RequireText(args.BindPositional(name, 1, "prefix")[0], name);
                return s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;
            }

            case "removesuffix":
            {
                var suffix = RequireText(args.BindPositional(name, 1, "suffix")[0], name);
                return suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
            }

            case "isdigit" or "isdecimal" or "isnumeric" or "isalpha" or "isalnum" or "isspace" or "isascii"
                or "islower" or "isupper" or "istitle" or "isprintable" or "isidentifier":
                return NoArguments(args, name, CharacterTest(s, name));
            default:
                throw TemplateRuntimeError.Unsupported($"the str.{name}() method");
        }
    }

    private static bool StartsOrEndsWith(string s, string name, CallArgs args)
    {
        var bound = args.BindPositional(name, 1, name == "startswith" ? "prefix" : "suffix", "start", "end");
        var candidates = bound[0] switch
        {
            string text => [text],
            PyList { IsTuple: true } tuple => tuple.Items.Select(item => Py.AsText(item) ??
                throw TemplateRuntimeError.Type($"tuple for {name} must only contain str, not {Py.TypeName(item)}")).ToList(),
            var other => throw TemplateRuntimeError.Type($"{name} first arg must be str or a tuple of str, not {Py.TypeName(other)}"),
        };
        var length = PyText.Length(s);
        var start = bound[1] is Missing or null ? 0 : Adjust(Py.AsIndex(bound[1], "start"), length);
        var end = bound[2] is Missing or null ? length : Adjust(Py.AsIndex(bound[2], "end"), length);
        if (start > length)
        {
            return false;
        }

        var region = end <= start ? "" : s[PyText.Offset(s, start)..PyText.Offset(s, end)];
        return candidates.Exists(candidate => name == "startswith"
            ? region.StartsWith(candidate, StringComparison.Ordinal) && (end - start >= PyText.Length(candidate))
            : region.EndsWith(candidate, StringComparison.Ordinal) && (end - start >= PyText.Length(candidate)));
    }

    private static object Search(string s, string name, CallArgs args)
    {
        var bound = args.BindPositional(name, 1, "sub", "start", "end");
        var sub = RequireText(bound[0], name);
        var length = PyText.Length(s);
        var start = bound[1] is Missing or null ? 0 : Adjust(Py.AsIndex(bound[1], "start"), length);
        var end = bound[2] is Missing or null ? length : Adjust(Py.AsIndex(bound[2], "end"), length);
        if (start > length || (end < start && !(sub.Length == 0 && end == start)))
        {
            return name == "count" ? 0L : NotFound(name);
        }

        var from = PyText.Offset(s, start);
        var region = s[from..PyText.Offset(s, Math.Max(end, start))];
        if (name == "count")
        {
            if (sub.Length == 0)
            {
                return (long)PyText.Length(region) + 1;
            }

            var count = 0L;
            for (var at = region.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = region.IndexOf(sub, at + sub.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }

        var found = name is "find" or "index"
            ? region.IndexOf(sub, StringComparison.Ordinal)
            : region.LastIndexOf(sub, StringComparison.Ordinal);
        if (sub.Length == 0 && name is "rfind" or "rindex")
        {
            found = region.Length;
        }

        return found < 0 ? NotFound(name) : (long)(start + PyText.Length(region[..found]));
    }

    private static object NotFound(string name) =>
        name is "index" or "rindex" ? throw TemplateRuntimeError.Value("substring not found") : -1L;

    private static int Adjust(long index, int length)
    {
        if (index < 0)
        {
            index = Math.Max(0, index + length);
        }

        return (int)Math.Min(index, length + 1L);
    }

    /// <summary>str.ljust, str.rjust or str.center (<paramref name="name"/>) with Python's split of odd padding.</summary>
    public static string Pad(string s, int width, string fill, string name)
    {
        var length = PyText.Length(s);
        if (width <= length)
        {
            return s;
        }

        var margin = width - length;
        var left = name switch
        {
            "ljust" => 0,
            "rjust" => margin,
            _ => (margin / 2) + (margin & width & 1),
        };
        var builder = new StringBuilder();
        builder.Insert(0, fill, left).Append(s).Insert(builder.Length, fill, margin - left);
        return builder.ToString();
    }

    private static bool CharacterTest(string s, string name)
    {
        var runes = s.EnumerateRunes().ToList();
        switch (name)
        {
            case "isascii":
                return runes.TrueForAll(rune => rune.Value < 128);
            case "islower":
                return PyText.HasOnlyCase(s, lower: true);
            case "isupper":
                return PyText.HasOnlyCase(s, lower: false);
            case "istitle":
                return IsTitle(runes);
            case "isprintable":
                return runes.TrueForAll(rune => PyText.IsPrintable(rune.Value));
            case "isidentifier":
                return runes.Count > 0 && (Rune.IsLetter(runes[0]) || runes[0].Value == '_') &&
                    runes.TrueForAll(rune => Rune.IsLetterOrDigit(rune) || rune.Value == '_' ||
                        Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation);
        }

        if (runes.Count == 0)
        {
            return false;
        }

        bool Decimal(Rune rune) => Rune.GetUnicodeCategory(rune) == UnicodeCategory.DecimalDigitNumber;
        bool Digit(Rune rune) => Decimal(rune) || CharUnicodeInfo.GetDigitValue(rune.ToString(), 0) >= 0;
        bool Numeric(Rune rune) => Digit(rune) || CharUnicodeInfo.GetNumericValue(rune.ToString(), 0) != -1;
        return name switch
        {
            "isdecimal" => runes.TrueForAll(Decimal),
            "isdigit" => runes.TrueForAll(Digit),
            "isnumeric" => runes.TrueForAll(Numeric),
            "isalpha" => runes.TrueForAll(Rune.IsLetter),
            "isalnum" => runes.TrueForAll(rune => Rune.IsLetter(rune) || Numeric(rune)),
            _ => runes.TrueForAll(rune => PyText.IsSpace(rune.Value)),
        };
    }

    private static bool IsTitle(List<Rune> runes)
    {
        var cased = false;
        var previousCased = false;
        foreach (var rune in runes)
        {
            var upperOrTitle = Rune.IsUpper(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.TitlecaseLetter;
            if (upperOrTitle)
            {
                if (previousCased)
                {
                    return false;
                }

                previousCased = cased = true;
            }
            else if (Rune.IsLower(rune))
            {
                if (!previousCased)
                {
                    return false;
                }

                previousCased = cased = true;
            }
            else
            {
                previousCased = false;
            }
        }

        return cased;
    }

    private static string RequireText(object? value, string method) => Py.AsText(value) ??
        throw TemplateRuntimeError.Type($"{method}() argument must be str, not {Py.TypeName(value)}");

    private static string? OptionalText(object? value, string method) => value is Missing or null ? null : RequireText(value, method);
}

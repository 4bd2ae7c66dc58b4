using System.Globalization;
using System.Text;

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Python's json.dumps (what transformers' tojson filter calls): its escaping, number forms, indentation
/// and separators.</summary>
internal static class JsonDumps
{
    public static string Dumps(object? value, bool ensureAscii, string? indent, string itemSeparator, string keySeparator, bool sortKeys)
    {
        var builder = new StringBuilder();
        new Writer(builder, ensureAscii, indent, itemSeparator, keySeparator, sortKeys).Write(value, 0);
        return builder.ToString();
    }

    private sealed class Writer(StringBuilder output, bool ensureAscii, string? indent, string itemSeparator, string keySeparator, bool sortKeys)
    {
        public void Write(object? value, int level)
        {
            switch (value)
            {
                case null:
                    output.Append("null");
                    break;
                case bool b:
                    output.Append(b ? "true" : "false");
                    break;
                case long l:
                    output.Append(l.ToString(CultureInfo.InvariantCulture));
                    break;
                case double d:
                    output.Append(Float(d));
                    break;
                case string or Markup:
                    WriteString(Py.AsText(value)!);
                    break;
                case PyList list:
                    WriteSequence(list.Items, level);
                    break;
                case PyDict dict:
                    WriteObject(dict, level);
                    break;
                default:
                    throw TemplateRuntimeError.Type($"Object of type {Py.TypeName(value)} is not JSON serializable");
            }
        }

        private static string Float(double value) => double.IsNaN(value) ? "NaN"
            : double.IsPositiveInfinity(value) ? "Infinity"
            : double.IsNegativeInfinity(value) ? "-Infinity"
            : Py.FloatRepr(value);

        private void WriteSequence(List<object?> items, int level)
        {
            if (items.Count == 0)
            {
                output.Append("[]");
                return;
            }

            output.Append('[');
            var separator = Open(level + 1);
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                {
                    output.Append(separator);
                }

                Write(items[i], level + 1);
            }

            Close(level);
            output.Append(']');
        }

        private void WriteObject(PyDict dict, int level)
        {
            if (dict.Count == 0)
            {
                output.Append("{}");
                return;
            }

            var pairs = dict.Items.ToList();
            if (sortKeys)
            {
                pairs = SortByKey(pairs);
            }

            output.Append('{');
            var separator = Open(level + 1);
            for (var i = 0; i < pairs.Count; i++)
            {
                if (i > 0)
                {
                    output.Append(separator);
                }

                WriteString(Key(pairs[i].Key));
                output.Append(keySeparator);
                Write(pairs[i].Value, level + 1);
            }

            Close(level);
            output.Append('}');
        }

        private static List<KeyValuePair<object?, object?>> SortByKey(List<KeyValuePair<object?, object?>> pairs)
        {
            var sorted = new List<KeyValuePair<object?, object?>>(pairs);
            for (var i = 1; i < sorted.Count; i++)
            {
                var current = sorted[i];
                var j = i - 1;
                while (j >= 0 && Py.Ordered("<", current.Key, sorted[j].Key))
                {
                    sorted[j + 1] = sorted[j];
                    j--;
                }

                sorted[j + 1] = current;
            }

            return sorted;
        }

        /// <summary>Writes the newline and indentation before the first item; returns the separator between items.</summary>
        private string Open(int level)
        {
            if (indent is null)
            {
                return itemSeparator;
            }

            var newline = "\n" + string.Concat(Enumerable.Repeat(indent, level));
            output.Append(newline);
            return itemSeparator + newline;
        }

        private void Close(int level)
        {
            if (indent is not null)
            {
                output.Append('\n').Append(string.Concat(Enumerable.Repeat(indent, level)));
            }
        }

        private static string Key(object? key) => key switch
        {
            string or Markup => Py.AsText(key)!,
            null => "null",
            bool b => b ? "true" : "false",
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d => Float(d),
            _ => throw TemplateRuntimeError.Type($"keys must be str, int, float, bool or None, not {Py.TypeName(key)}"),
        };

        private void WriteString(string text)
        {
            output.Append('"');
            foreach (var c in text)
            {
                switch (c)
                {
                    case '"':
                        output.Append("\\\"");
                        break;
                    case '\\':
                        output.Append("\\\\");
                        break;
                    case '\n':
                        output.Append("\\n");
                        break;
                    case '\r':
                        output.Append("\\r");
                        break;
                    case '\t':
                        output.Append("\\t");
                        break;
                    case '\b':
                        output.Append("\\b");
                        break;
                    case '\f':
                        output.Append("\\f");
                        break;
                    default:
                        if (c < ' ' || (ensureAscii && c > '~'))
                        {
                            output.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                        }
                        else
                        {
                            output.Append(c);
                        }

                        break;
                }
            }

            output.Append('"');
        }
    }
}

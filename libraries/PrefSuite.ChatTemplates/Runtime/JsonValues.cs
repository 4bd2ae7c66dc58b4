using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Turns JSON into the values Python's json.loads would give: dict, list, str, int (no fraction or exponent
/// in the text), float, bool, None.</summary>
internal static class JsonValues
{
    public static object? From(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => FromObject(obj),
        JsonArray array => new PyList([.. array.Select(From)]),
        JsonValue value => FromValue(value),
        _ => throw new ArgumentException($"unexpected JSON node {node.GetType().Name}", nameof(node)),
    };

    private static PyDict FromObject(JsonObject obj)
    {
        var dict = new PyDict();
        foreach (var (key, value) in obj)
        {
            dict.Set(key, From(value));
        }

        return dict;
    }

    private static object? FromValue(JsonValue value)
    {
        if (value.TryGetValue(out JsonElement element))
        {
            return FromElement(element);
        }

        if (value.TryGetValue(out string? text))
        {
            return text;
        }

        if (value.TryGetValue(out bool flag))
        {
            return flag;
        }

        if (value.TryGetValue(out int i))
        {
            return (long)i;
        }

        if (value.TryGetValue(out long l))
        {
            return l;
        }

        if (value.TryGetValue(out double d))
        {
            return d;
        }

        if (value.TryGetValue(out float f))
        {
            return (double)f;
        }

        if (value.TryGetValue(out decimal m))
        {
            return (double)m;
        }

        if (value.TryGetValue(out short s))
        {
            return (long)s;
        }

        if (value.TryGetValue(out byte b))
        {
            return (long)b;
        }

        if (value.TryGetValue(out uint u))
        {
            return (long)u;
        }

        if (value.TryGetValue(out ulong ul))
        {
            return ul <= long.MaxValue ? (long)ul : throw TooLarge(ul.ToString(CultureInfo.InvariantCulture));
        }

        if (value.TryGetValue(out char c))
        {
            return c.ToString();
        }

        return FromElement(JsonSerializer.SerializeToElement(value));
    }

    private static object? FromElement(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var dict = new PyDict();
                foreach (var property in element.EnumerateObject())
                {
                    dict.Set(property.Name, FromElement(property.Value));
                }

                return dict;
            case JsonValueKind.Array:
                return new PyList([.. element.EnumerateArray().Select(FromElement)]);
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number:
                var raw = element.GetRawText();
                if (raw.AsSpan().IndexOfAny('.', 'e', 'E') >= 0)
                {
                    return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
                }

                return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) ? integer : throw TooLarge(raw);
            default:
                return null;
        }
    }

    private static TemplateRuntimeError TooLarge(string number) =>
        TemplateRuntimeError.Unsupported($"the JSON number {number}: it does not fit a 64-bit integer (Python's ints are unbounded)");
}

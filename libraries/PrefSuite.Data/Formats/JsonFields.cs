using System.Text.Json;
using PrefSuite.Data.Rows;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>Reads typed fields from one JSON object of a JSONL file, with errors that name the file, line and field path.</summary>
internal readonly struct JsonFields
{
    private readonly JsonElement _element;

    public JsonFields(string file, int line, JsonElement element, string path = "")
        : this(file, RowLocation.OfLine(line), element, path)
    {
    }

    public JsonFields(string file, RowLocation location, JsonElement element, string path = "")
    {
        File = file;
        Location = location;
        _element = element;
        Path = path;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Error(null, $"expected a JSON object, found {Describe(element.ValueKind)}");
        }
    }

    public string File { get; }

    public RowLocation Location { get; }

    public string Path { get; }

    public bool Has(string name) => _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>The names of the object's fields.</summary>
    public IEnumerable<string> Names => _element.EnumerateObject().Select(p => p.Name);

    public JsonElement Raw(string name) => _element.GetProperty(name);

    public string RequireString(string name) => OptionalString(name) ?? throw Error(name, "is missing");

    public string? OptionalString(string name)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Error(name, $"must be a string, found {Describe(value.ValueKind)}");
    }

    public bool? OptionalBoolean(string name)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw Error(name, $"must be true or false, found {Describe(value.ValueKind)}");
    }

    public double RequireNumber(string name) => OptionalNumber(name) ?? throw Error(name, "is missing");

    public double? OptionalNumber(string name)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return ReadNumber(value, name);
    }

    public double ReadNumber(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            var hint = value.ValueKind == JsonValueKind.String && value.GetString() is "NaN" or "Infinity" or "-Infinity"
                ? " (NaN and infinities are not valid rewards)"
                : string.Empty;
            throw Error(name, $"must be a number, found {Describe(value.ValueKind)}{hint}");
        }

        return value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw Error(name, $"{value.GetRawText()} is not a finite number");
    }

    public IReadOnlyList<JsonFields> RequireObjects(string name)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Error(name, "is missing");
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(name, $"must be an array, found {Describe(value.ValueKind)}");
        }

        var items = new List<JsonFields>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            items.Add(new JsonFields(File, Location, item, $"{Join(name)}[{index++}]"));
        }

        return items;
    }

    public JsonFields? OptionalObject(string name) =>
        _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? new JsonFields(File, Location, value, Join(name))
            : null;

    /// <summary>A string-to-number map such as {"helpfulness": 4.5}.</summary>
    public IReadOnlyDictionary<string, double>? OptionalNumberMap(string name)
    {
        if (OptionalObject(name) is not { } map)
        {
            return null;
        }

        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var property in map._element.EnumerateObject())
        {
            result[property.Name] = map.ReadNumber(property.Value, property.Name);
        }

        return result;
    }

    /// <summary>A prompt or response given as a string or as a list of {role, content} messages.</summary>
    public PromptText RequireText(string name)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Error(name, "is missing");
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return PromptText.FromText(value.GetString()!);
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(name, $"must be a string or a list of messages, found {Describe(value.ValueKind)}");
        }

        var messages = new List<ChatMessage>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var message = new JsonFields(File, Location, item, $"{Join(name)}[{index++}]");
            messages.Add(new ChatMessage(message.RequireString("role"), message.RequireString("content")));
        }

        return messages.Count == 0 ? throw Error(name, "is an empty list of messages") : PromptText.FromMessages(messages);
    }

    /// <summary>
    /// The conversation before the last assistant turn of a message list (TRL's implicit prompt), or null when the
    /// field is a string or the conversation starts with that turn.
    /// </summary>
    public PromptText? ImplicitPrompt(string name)
    {
        var text = RequireText(name);
        if (text.Messages is not { } messages)
        {
            return null;
        }

        var last = messages.Count - 1;
        while (last >= 0 && messages[last].Role != "assistant")
        {
            last--;
        }

        return last > 0 ? PromptText.FromMessages(messages.Take(last).ToArray()) : null;
    }

    /// <summary>A response given as a string or as messages: the last assistant turn's content.</summary>
    public string RequireResponseText(string name)
    {
        var text = RequireText(name);
        if (text.Text is { } plain)
        {
            return plain;
        }

        return text.Messages!.LastOrDefault(m => m.Role == "assistant")?.Content
            ?? throw Error(name, "has no assistant message");
    }

    /// <summary>Rejects any field not in <paramref name="known"/>: in PrefSuite's own formats a stray field is usually a typo.</summary>
    public void RejectUnknown(params string[] known)
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (Array.IndexOf(known, property.Name) < 0)
            {
                throw Error(property.Name, $"is not a known field (expected {string.Join(", ", known)})");
            }
        }
    }

    public DataFormatException Error(string? name, string problem) =>
        new(File, Location, name is null ? (Path.Length == 0 ? null : Path) : Join(name), problem);

    private string Join(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}

using System.Text.Json.Nodes;

namespace PrefSuite.ChatTemplates.Tests;

/// <summary>reference/expected.json (rendered by Jinja2 with render_reference.py) and the chat templates it used.</summary>
internal static class ReferenceFixture
{
    private static readonly Lazy<JsonObject> Root = new(() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "expected.json")))!);

    private static readonly Lazy<JsonObject> TemplateMetadata = new(() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(TemplatesDirectory, "templates.json")))!);

    private static readonly Dictionary<string, ChatTemplate> Parsed = new(StringComparer.Ordinal);

    public static string TemplatesDirectory => Path.Combine(AppContext.BaseDirectory, "Templates");

    public static JsonArray TemplateCases => Root.Value["template_cases"]!.AsArray();

    public static JsonArray LanguageCases => Root.Value["language_cases"]!.AsArray();

    public static JsonObject Case(JsonArray cases, string id) =>
        cases.Select(node => node!.AsObject()).Single(node => (string?)node["id"] == id);

    public static JsonArray Conversation(string name) => Root.Value["conversations"]![name]!.DeepClone().AsArray();

    public static Dictionary<string, JsonNode?> Extra(string name) =>
        Root.Value["extras"]![name]!.AsObject().ToDictionary(pair => pair.Key, pair => pair.Value?.DeepClone());

    public static IEnumerable<JsonObject> Templates => TemplateMetadata.Value["templates"]!.AsArray().Select(node => node!.AsObject());

    public static JsonObject TemplateEntry(string name) => Templates.Single(entry => (string?)entry["name"] == name);

    /// <summary>The template parsed once, reading the fixture's frozen clock.</summary>
    public static ChatTemplate Template(string name)
    {
        lock (Parsed)
        {
            if (!Parsed.TryGetValue(name, out var template))
            {
                var file = (string)TemplateEntry(name)["file"]!;
                template = ChatTemplate.Parse(File.ReadAllText(Path.Combine(TemplatesDirectory, file)), name).WithClock(FrozenClock);
                Parsed[name] = template;
            }

            return template;
        }
    }

    /// <summary>The clock render_reference.py freezes: 2025-03-14 12:00 local time.</summary>
    public static TimeProvider FrozenClock { get; } = new FixedClock(new DateTimeOffset(2025, 3, 14, 12, 0, 0, TimeSpan.Zero));

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}

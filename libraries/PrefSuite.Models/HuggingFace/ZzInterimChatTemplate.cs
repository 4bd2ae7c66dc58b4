// INTERIM (not committed): replaced by libraries/PrefSuite.ChatTemplates when it lands.
using System.Text.Json.Nodes;

namespace PrefSuite.ChatTemplates;

public sealed class ChatTemplate
{
    public string Name { get; private init; } = string.Empty;

    public static ChatTemplate Parse(string source, string name) => new() { Name = name };

    #pragma warning disable CA1822
    public string Apply(JsonArray messages, bool addGenerationPrompt, string? bosToken, string? eosToken, IReadOnlyDictionary<string, JsonNode?>? extra = null) => throw new ChatTemplateException("interim");
}

public sealed class ChatTemplateException : Exception
{
    public ChatTemplateException(string message)
        : base(message)
    {
    }

    public ChatTemplateException()
    {
    }

    public ChatTemplateException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

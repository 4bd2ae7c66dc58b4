using System.Text;
using System.Text.Json.Nodes;
using PrefSuite.ChatTemplates.Parsing;
using PrefSuite.ChatTemplates.Runtime;
using PrefSuite.ChatTemplates.Syntax;

namespace PrefSuite.ChatTemplates;

/// <summary>A Hugging Face chat template (Jinja), parsed once and rendered the way transformers' apply_chat_template
/// renders it: Jinja2's sandbox with trim_blocks, lstrip_blocks, loop controls and <c>{% generation %}</c>, the
/// tojson, raise_exception and strftime_now that transformers adds.</summary>
public sealed class ChatTemplate
{
    private readonly IReadOnlyList<Stmt> _body;
    private readonly TimeProvider _clock;

    private ChatTemplate(string name, IReadOnlyList<Stmt> body, TimeProvider clock)
    {
        Name = name;
        _body = body;
        _clock = clock;
    }

    /// <summary>The name given at parse time; every <see cref="ChatTemplateException"/> names it.</summary>
    public string Name { get; }

    /// <summary>Parses once; throws <see cref="ChatTemplateException"/> (naming the template, the line and the construct)
    /// for invalid syntax and for syntax this renderer does not support.</summary>
    public static ChatTemplate Parse(string source, string name)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(name);
        return new ChatTemplate(name, Parser.Parse(source, name), TimeProvider.System);
    }

    /// <summary>The same template with <c>strftime_now</c> reading <paramref name="clock"/>'s local time.</summary>
    public ChatTemplate WithClock(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return new ChatTemplate(Name, _body, clock);
    }

    /// <summary>transformers' <c>apply_chat_template(messages, tokenize=False, add_generation_prompt=...)</c>.</summary>
    /// <param name="messages">JSON objects with "role", "content" and anything else ("tool_calls", "reasoning_content", ...).</param>
    /// <param name="bosToken">The tokenizer's bos_token; null leaves <c>bos_token</c> undefined, as transformers does.</param>
    /// <param name="eosToken">The tokenizer's eos_token; null leaves <c>eos_token</c> undefined.</param>
    /// <param name="extra">Further template variables (apply_chat_template's keyword arguments: "tools", "documents",
    /// "enable_thinking", "date_string", ...). They replace the defaults (tools and documents are None unless given) and
    /// the special tokens, but not "messages" or "add_generation_prompt": transformers refuses those twice too.</param>
    /// <exception cref="ArgumentException"><paramref name="extra"/> names "messages" or "add_generation_prompt".</exception>
    public string Apply(JsonArray messages, bool addGenerationPrompt, string? bosToken, string? eosToken, IReadOnlyDictionary<string, JsonNode?>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = FromJson(messages),
            ["tools"] = null,
            ["documents"] = null,
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        if (bosToken is not null)
        {
            variables["bos_token"] = bosToken;
        }

        if (eosToken is not null)
        {
            variables["eos_token"] = eosToken;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, JsonNode?>())
        {
            if (key is "messages" or "add_generation_prompt")
            {
                throw new ArgumentException($"'{key}' is an argument of Apply, not an extra template variable", nameof(extra));
            }

            variables[key] = FromJson(value);
        }

        return RenderValues(variables);
    }

    /// <summary>Renders with exactly these variables (JSON values become Python's: objects are dicts, arrays lists).</summary>
    public string Render(IReadOnlyDictionary<string, JsonNode?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return RenderValues(variables.ToDictionary(pair => pair.Key, pair => FromJson(pair.Value), StringComparer.Ordinal));
    }

    private object? FromJson(JsonNode? node)
    {
        try
        {
            return JsonValues.From(node);
        }
        catch (TemplateRuntimeError error)
        {
            throw new ChatTemplateException(Name, null, "template variables", $"{error.Kind}: {error.Message}", error);
        }
    }

    private string RenderValues(Dictionary<string, object?> variables)
    {
        var state = new RenderState(Name, _clock);
        var scope = Globals.CreateScope(state).Child();
        foreach (var (key, value) in variables)
        {
            scope.Set(key, value);
        }

        var output = new StringBuilder();
        Stmt.Run(_body, scope, output);
        return output.ToString();
    }
}

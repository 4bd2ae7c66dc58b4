using System.Text.Json;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// What tokenizer_config.json (and special_tokens_map.json) say about special tokens and the chat template.
/// Token fields may be strings or AddedToken objects ({"content": …}).
/// </summary>
public sealed record TokenizerSettings
{
    public string? ChatTemplate { get; init; }

    public string? BosToken { get; init; }

    public string? EosToken { get; init; }

    public string? PadToken { get; init; }

    /// <summary>add_bos_token when the file sets it; null leaves the choice to tokenizer.json's post-processor.</summary>
    public bool? AddBosToken { get; init; }

    public static TokenizerSettings Read(string folder)
    {
        var path = Path.Combine(folder, "tokenizer_config.json");
        var settings = new TokenizerSettings();
        if (File.Exists(path))
        {
            using var document = DecoderConfigReader.Parse(path);
            var root = document.RootElement;
            settings = new TokenizerSettings
            {
                ChatTemplate = Template(path, root),
                BosToken = Token(path, root, "bos_token"),
                EosToken = Token(path, root, "eos_token"),
                PadToken = Token(path, root, "pad_token"),
                AddBosToken = root.TryGetProperty("add_bos_token", out var add) && add.ValueKind is JsonValueKind.True or JsonValueKind.False ? add.GetBoolean() : null,
            };
        }

        var map = Path.Combine(folder, "special_tokens_map.json");
        if (File.Exists(map))
        {
            using var document = DecoderConfigReader.Parse(map);
            var root = document.RootElement;
            settings = settings with
            {
                BosToken = settings.BosToken ?? Token(map, root, "bos_token"),
                EosToken = settings.EosToken ?? Token(map, root, "eos_token"),
                PadToken = settings.PadToken ?? Token(map, root, "pad_token"),
            };
        }

        // Newer transformers versions keep the template in its own file.
        var jinja = Path.Combine(folder, "chat_template.jinja");
        if (settings.ChatTemplate is null && File.Exists(jinja))
        {
            settings = settings with { ChatTemplate = File.ReadAllText(jinja) };
        }

        var templateJson = Path.Combine(folder, "chat_template.json");
        if (settings.ChatTemplate is null && File.Exists(templateJson))
        {
            using var document = DecoderConfigReader.Parse(templateJson);
            settings = settings with { ChatTemplate = Template(templateJson, document.RootElement) };
        }

        return settings;
    }

    private static string? Token(string path, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String => content.GetString(),
            _ => throw new CheckpointException(path, field, "must be a token string or an object with \"content\""),
        };
    }

    /// <summary>chat_template as a string, or the entry named "default" of a list of {name, template}.</summary>
    private static string? Template(string path, JsonElement root)
    {
        if (!root.TryGetProperty("chat_template", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in value.EnumerateArray())
            {
                if (entry.TryGetProperty("name", out var name) && name.GetString() == "default" && entry.TryGetProperty("template", out var template))
                {
                    return template.GetString();
                }
            }

            throw new CheckpointException(path, "chat_template", "is a list of named templates without one named \"default\"");
        }

        throw new CheckpointException(path, "chat_template", "must be a string or a list of {name, template}");
    }
}

using System.Text.Json.Nodes;
using PrefSuite.ChatTemplates;
using PrefSuite.Models.Policy;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// A Hugging Face policy's token convention, as TRL builds it for DPO: a text prompt is its raw text (with the BOS
/// token the tokenizer's own post-processor or add_bos_token adds); a message prompt is the checkpoint's chat template
/// rendered with the generation prompt; a response to messages is the rendered full conversation minus the rendered
/// prompt, end-of-turn tokens included. A response that carries no stop token of its own gets the first EOS id.
/// </summary>
public sealed class ChatPolicyTokens : IPolicyTokens
{
    private readonly HfTokenizer tokenizer;
    private readonly ChatTemplate? template;
    private readonly string? bosToken;
    private readonly string? eosToken;
    private readonly int[] textPrefix;

    private ChatPolicyTokens(HfTokenizer tokenizer, ChatTemplate? template, string? bosToken, string? eosToken, int[] textPrefix, int padId, IReadOnlyList<int> stopIds)
    {
        this.tokenizer = tokenizer;
        this.template = template;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.textPrefix = textPrefix;
        PadId = padId;
        StopIds = stopIds;
    }

    /// <summary>The tokenizer's identity, the template's content hash and the text-prompt prefix: what decides the tokens.</summary>
    public string Identity { get; private init; } = string.Empty;

    public int VocabularySize => tokenizer.VocabularySize;

    public int PadId { get; }

    public IReadOnlyList<int> StopIds { get; }

    public IReadOnlyList<int> NeverSampled => [];

    /// <summary>Whether the checkpoint has a chat template (message prompts need one).</summary>
    public bool HasChatTemplate => template is not null;

    /// <summary>
    /// The convention of a checkpoint folder: stop ids from generation_config.json, config.json and the tokenizer's
    /// eos_token; pad from tokenizer_config, config or generation_config, else the first stop id.
    /// </summary>
    public static ChatPolicyTokens Create(HfCheckpoint checkpoint, HfTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var settings = TokenizerSettings.Read(checkpoint.Folder);
        var configPath = checkpoint.ConfigPath;
        var tokenizerConfig = Path.Combine(checkpoint.Folder, "tokenizer_config.json");
        ChatTemplate? template = null;
        if (settings.ChatTemplate is { } source)
        {
            try
            {
                template = ChatTemplate.Parse(source, $"{tokenizerConfig} chat_template");
            }
            catch (ChatTemplateException error)
            {
                throw new CheckpointException(tokenizerConfig, "chat_template", error.Message);
            }
        }

        var stops = new List<int>();
        void AddStop(int id)
        {
            if (!stops.Contains(id))
            {
                stops.Add(id);
            }
        }

        foreach (var id in checkpoint.GenerationEosIds)
        {
            AddStop(id);
        }

        foreach (var id in checkpoint.Config.EosTokenIds)
        {
            AddStop(id);
        }

        if (settings.EosToken is { } eos && tokenizer.TokenId(eos) is { } eosId)
        {
            AddStop(eosId);
        }

        if (stops.Count == 0)
        {
            throw new CheckpointException(configPath, "eos_token_id", "no end-of-sequence token is known (set eos_token_id in config.json or generation_config.json, or eos_token in tokenizer_config.json)");
        }

        var bad = stops.FirstOrDefault(id => id < 0 || id >= checkpoint.Config.VocabSize, -1);
        if (bad != -1)
        {
            throw new CheckpointException(configPath, "eos_token_id", $"{bad} is outside the vocabulary of {checkpoint.Config.VocabSize}");
        }

        var pad = (settings.PadToken is { } padToken ? tokenizer.TokenId(padToken) : null)
            ?? checkpoint.Config.PadTokenId ?? checkpoint.GenerationPadId ?? stops[0];
        int[] prefix;
        if (settings.AddBosToken is { } addBos)
        {
            var bosId = settings.BosToken is { } bos ? tokenizer.TokenId(bos) : checkpoint.Config.BosTokenId;
            prefix = addBos && bosId is { } id ? [id] : [];
        }
        else
        {
            prefix = [.. tokenizer.PostProcessorPrefix];
        }

        var templateHash = settings.ChatTemplate is { } text ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..12] : "none";
        return new ChatPolicyTokens(tokenizer, template, settings.BosToken, settings.EosToken, prefix, pad, stops)
        {
            Identity = $"{tokenizer.Identity}+template:{templateHash}+prefix:{string.Join('.', prefix)}+stop:{string.Join('.', stops)}",
        };
    }

    public int[] EncodePrompt(PromptText prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return prompt.Text is { } text ? [.. textPrefix, .. tokenizer.Encode(text)] : tokenizer.Encode(RenderPrompt(prompt.Messages!));
    }

    public int[] EncodeResponse(PromptText prompt, string response)
    {
        var tokens = tokenizer.Encode(ResponseText(prompt, response));
        return tokens.Any(StopIds.Contains) ? tokens : [.. tokens, StopIds[0]];
    }

    /// <summary>
    /// The text of a response as the model writes it after the prompt: the response itself after a text prompt; after
    /// messages, the rendered conversation with the response as the assistant's turn minus the rendered prompt.
    /// </summary>
    public string ResponseText(PromptText prompt, string response)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(response);
        if (prompt.Text is not null)
        {
            return response;
        }

        var head = RenderPrompt(prompt.Messages!);
        var full = Render(prompt.Messages!.Append(new ChatMessage("assistant", response)), addGenerationPrompt: false);
        return full.StartsWith(head, StringComparison.Ordinal)
            ? full[head.Length..]
            : throw new ChatTemplateException($"{template!.Name}: the chat template renders the conversation with the response differently from the prompt it renders with the generation prompt (the prompt is not a prefix), so the response cannot be cut out of it.");
    }

    public string DecodeResponse(IReadOnlyList<int> tokens) => tokenizer.Decode(tokens);

    /// <summary>The prompt as the chat template renders it with the generation prompt.</summary>
    public string RenderPrompt(IReadOnlyList<ChatMessage> messages) => Render(messages, addGenerationPrompt: true);

    private string Render(IEnumerable<ChatMessage> messages, bool addGenerationPrompt)
    {
        if (template is null)
        {
            throw new ChatTemplateException("The prompt is a list of messages, but the checkpoint has no chat template (tokenizer_config.json has no chat_template): give the prompt as text, or use a chat model.");
        }

        var array = new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray());
        return template.Apply(array, addGenerationPrompt, bosToken, eosToken);
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrefSuite.Stages.Sampling;

/// <summary>
/// The bodies of OpenAI's /v1/completions and /v1/chat/completions as PrefSuite sends and serves them (snake_case JSON;
/// optional fields left out when null, so strict servers see only what they know).
/// </summary>
public static class OpenAiProtocol
{
    /// <summary>How the bodies are written and read.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>PrefSuite's finish reason for an OpenAI one: "stop" is "eos", "length" stays, others pass through.</summary>
    public static string FinishReasonFromOpenAi(string? reason) => reason switch
    {
        null or "" or "stop" => "eos",
        _ => reason,
    };

    /// <summary>OpenAI's finish reason for PrefSuite's: "length" stays; "eos" and "stop" (a stop sequence) are "stop".</summary>
    public static string FinishReasonToOpenAi(string reason) => reason == "length" ? "length" : "stop";

    /// <summary>
    /// The server's own words from an error body: OpenAI's and llama.cpp's {"error": {"message"}}, Ollama's
    /// {"error": "..."}, vLLM's older {"message"}, FastAPI's {"detail"}; else the body itself, shortened.
    /// </summary>
    public static string ErrorMessage(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.String)
                    {
                        return error.GetString()!;
                    }

                    if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var nested) && nested.ValueKind == JsonValueKind.String)
                    {
                        return nested.GetString()!;
                    }
                }

                foreach (var name in (string[])["message", "detail"])
                {
                    if (root.TryGetProperty(name, out var value))
                    {
                        return value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, plain text): the body itself follows.
        }

        var trimmed = body.Trim();
        return trimmed.Length == 0 ? "(empty body)" : trimmed.Length <= 300 ? trimmed : trimmed[..300] + "…";
    }

    /// <summary>An error body in OpenAI's shape.</summary>
    public static object Error(string message, string type = "invalid_request_error") => new { error = new { message, type } };

    /// <summary>The /v1/completions request (OpenAI's legacy completions API): prompts are numbered in choices as prompt × n + sample.</summary>
    public sealed record CompletionRequest(string Model, string[] Prompt, int N, double Temperature, double TopP, int MaxTokens, string[]? Stop, long Seed, int? Logprobs, int? TopK = null);

    /// <summary>The /v1/completions response ("object" is "text_completion").</summary>
    public sealed record CompletionResponse(string Id, [property: JsonPropertyName("object")] string Kind, long Created, string Model, IReadOnlyList<CompletionChoice> Choices);

    /// <summary>One completion: choices are numbered prompt index × n + sample index.</summary>
    public sealed record CompletionChoice(string Text, int Index, CompletionLogprobs? Logprobs, string? FinishReason);

    /// <summary>Per-token log-probabilities of a completion (null entries: the server had none for that token).</summary>
    public sealed record CompletionLogprobs(IReadOnlyList<string>? Tokens, IReadOnlyList<double?>? TokenLogprobs);

    /// <summary>The /v1/chat/completions request: one conversation, n choices, logprobs: true for per-token log-probs.</summary>
    public sealed record ChatCompletionRequest(string Model, IReadOnlyList<OpenAiMessage> Messages, int N, double Temperature, double TopP, int MaxTokens, string[]? Stop, long Seed, bool? Logprobs, int? TopK = null);

    /// <summary>One message of a conversation.</summary>
    public sealed record OpenAiMessage(string Role, string? Content);

    /// <summary>The /v1/chat/completions response ("object" is "chat.completion").</summary>
    public sealed record ChatCompletionResponse(string Id, [property: JsonPropertyName("object")] string Kind, long Created, string Model, IReadOnlyList<ChatChoice> Choices);

    /// <summary>One choice: the assistant's message, its token log-probs (null when not asked for or not given) and why it ended.</summary>
    public sealed record ChatChoice(int Index, OpenAiMessage Message, ChatLogprobs? Logprobs, string? FinishReason);

    /// <summary>The sampled tokens' log-probs, in order.</summary>
    public sealed record ChatLogprobs(IReadOnlyList<ChatTokenLogprob>? Content);

    /// <summary>A sampled token and its log-probability (top_logprobs: the alternatives asked for, none here).</summary>
    public sealed record ChatTokenLogprob(string Token, double Logprob, IReadOnlyList<int>? Bytes = null, IReadOnlyList<ChatTopLogprob>? TopLogprobs = null);

    /// <summary>One alternative token at a position.</summary>
    public sealed record ChatTopLogprob(string Token, double Logprob, IReadOnlyList<int>? Bytes = null);
}

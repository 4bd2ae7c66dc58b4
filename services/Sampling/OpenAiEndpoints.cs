using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PrefSuite.Contracts.V1;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Sampling;
using PrefSuite.Workflow;
using static PrefSuite.Stages.Sampling.OpenAiProtocol;

namespace PrefSuite.SamplingService;

/// <summary>
/// OpenAI-compatible POST /v1/completions and /v1/chat/completions over the sampling stage, so any OpenAI client (and
/// PrefSuite's own OpenAI backend) can sample the suite's policies. The model names the policy (a version, alias or
/// checkpoint folder; "default", "prefsuite" or none: the service's default). A conversation is rendered by the
/// policy's own convention: a Hugging Face policy's chat template with the generation prompt, the built-in policy's
/// "role: content" lines. Token log-probs name tokens by id ("&lt;eos&gt;" for the stop token).
/// </summary>
public static class OpenAiEndpoints
{
    // Answers keep their null fields ("logprobs": null when not asked for), as OpenAI's own answers do.
    private static readonly JsonSerializerOptions AnswerJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static WebApplication MapOpenAiEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/v1/completions", (HttpContext context, SamplingStage stage, IOptions<SecurityOptions> security) =>
            HandleAsync(context, security.Value, async body =>
            {
                var (request, model) = ParseCompletion(body);
                var result = await stage.SampleAsync(request, context.RequestAborted).ConfigureAwait(false);
                var n = request.Sampling.N;
                var choices = result.Prompts.SelectMany((p, pi) => p.Responses.Select(r => new CompletionChoice(
                    r.Text,
                    (pi * n) + r.SampleIndex,
                    new CompletionLogprobs(TokenNames(r), r.TokenLogprobs.Select(v => (double?)v).ToArray()),
                    FinishReasonToOpenAi(r.FinishReason)))).ToArray();
                return Results.Json(new CompletionResponse($"cmpl-{Guid.NewGuid():N}", "text_completion", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), model.Length > 0 ? model : result.PolicyVersion, choices), AnswerJson);
            }));
        app.MapPost("/v1/chat/completions", (HttpContext context, SamplingStage stage, IOptions<SecurityOptions> security) =>
            HandleAsync(context, security.Value, async body =>
            {
                var (request, model, logprobs) = ParseChat(body);
                var result = await stage.SampleAsync(request, context.RequestAborted).ConfigureAwait(false);
                var choices = result.Prompts[0].Responses.Select(r => new ChatChoice(
                    r.SampleIndex,
                    new OpenAiMessage("assistant", r.Text),
                    logprobs ? new ChatLogprobs(TokenNames(r).Zip(r.TokenLogprobs, (token, logprob) => new ChatTokenLogprob(token, logprob, TopLogprobs: [])).ToArray()) : null,
                    FinishReasonToOpenAi(r.FinishReason))).ToArray();
                return Results.Json(new ChatCompletionResponse($"chatcmpl-{Guid.NewGuid():N}", "chat.completion", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), model.Length > 0 ? model : result.PolicyVersion, choices), AnswerJson);
            }));
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpContext context, SecurityOptions security, Func<JsonElement, Task<IResult>> handle)
    {
        var key = security.ApiKey;
        if (key.Length > 0 && !ApiKeyInterceptor.Matches(key, ApiKeyInterceptor.Presented(context.Request.Headers["x-api-key"], context.Request.Headers.Authorization)))
        {
            return Results.Json(Error("A valid API key is required."), statusCode: 401);
        }

        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body, Json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException error)
        {
            return Results.Json(Error($"The body is not JSON: {error.Message}"), statusCode: 400);
        }

        try
        {
            if (body.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException("body", "must be a JSON object");
            }

            return await handle(body).ConfigureAwait(false);
        }
        catch (InvalidRequestException error)
        {
            return Results.Json(Error(error.Message), statusCode: 400);
        }
    }

    private static (SampleRequest Request, string Model) ParseCompletion(JsonElement body)
    {
        var prompts = body.TryGetProperty("prompt", out var prompt) ? prompt.ValueKind switch
        {
            JsonValueKind.String => [prompt.GetString()!],
            JsonValueKind.Array => prompt.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String ? p.GetString()! : throw new InvalidRequestException("prompt", "must be a string or a list of strings")).ToArray(),
            _ => throw new InvalidRequestException("prompt", "must be a string or a list of strings"),
        } : throw new InvalidRequestException("prompt", "is missing");
        var (request, model) = Request(body);
        request.Prompts.Add(prompts.Select((text, i) => new Prompt { PromptId = $"p{i}", Text = text }));
        return (request, model);
    }

    private static (SampleRequest Request, string Model, bool Logprobs) ParseChat(JsonElement body)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException("messages", "is missing: a list of {\"role\", \"content\"}");
        }

        var prompt = new Prompt { PromptId = "p0" };
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"messages[{index++}]");
            var role = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String && r.GetString() is { Length: > 0 } name
                ? name
                : throw new InvalidRequestException($"{field}.role", "is missing");
            prompt.Messages.Add(new Contracts.V1.ChatMessage { Role = role, Content = Content(message, field) });
        }

        if (prompt.Messages.Count == 0)
        {
            throw new InvalidRequestException("messages", "is empty");
        }

        var logprobs = body.TryGetProperty("logprobs", out var wanted) && wanted.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw new InvalidRequestException("logprobs", "must be true or false"),
        };
        var (request, model) = Request(body);
        request.Prompts.Add(prompt);
        return (request, model, logprobs);
    }

    /// <summary>A message's text: a string, or the text parts of a content list.</summary>
    private static string Content(JsonElement message, string field)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return string.Empty;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException($"{field}.content", "must be a string or a list of text parts");
        }

        return string.Concat(content.EnumerateArray().Select((part, i) =>
            part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.ValueEquals("text") && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
                ? text.GetString()
                : throw new InvalidRequestException(string.Create(CultureInfo.InvariantCulture, $"{field}.content[{i}]"), "only text parts ({\"type\": \"text\", \"text\": ...}) are supported")));
    }

    /// <summary>The parameters both endpoints share, and the policy the model names.</summary>
    private static (SampleRequest Request, string Model) Request(JsonElement body)
    {
        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : string.Empty;
        var parameters = new SamplingParams
        {
            N = Int(body, "n", 1),
            Temperature = Number(body, "temperature", 1),
            TopP = Number(body, "top_p", 1),
            TopK = Math.Max(0, Int(body, "top_k", 0)),
            MaxNewTokens = body.TryGetProperty("max_completion_tokens", out var limit) && limit.ValueKind != JsonValueKind.Null ? Int(body, "max_completion_tokens", 16) : Int(body, "max_tokens", 16),
            Seed = unchecked((ulong)Long(body, "seed", 0)),
        };
        if (body.TryGetProperty("stop", out var stop))
        {
            parameters.Stop.Add(stop.ValueKind switch
            {
                JsonValueKind.String => [stop.GetString()!],
                JsonValueKind.Array => stop.EnumerateArray().Select(s => s.ValueKind == JsonValueKind.String ? s.GetString()! : throw new InvalidRequestException("stop", "must be a string or a list of strings")),
                JsonValueKind.Null => [],
                _ => throw new InvalidRequestException("stop", "must be a string or a list of strings"),
            });
        }

        var request = new SampleRequest { Sampling = parameters, Policy = new PolicyRef { Checkpoint = model is "" or "default" or "prefsuite" ? string.Empty : model } };
        return (request, model);
    }

    /// <summary>Names of a response's tokens: their ids, then "&lt;eos&gt;" for a stop token's log-prob.</summary>
    private static string[] TokenNames(Response response) =>
        response.TokenIds.Select(t => t.ToString(CultureInfo.InvariantCulture)).Append("<eos>").Take(response.TokenLogprobs.Count).ToArray();

    private static int Int(JsonElement body, string name, int fallback) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? fallback
        : value.TryGetInt32(out var number) ? number : throw new InvalidRequestException(name, "must be an integer");

    private static long Long(JsonElement body, string name, long fallback) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? fallback
        : value.TryGetInt64(out var number) ? number : throw new InvalidRequestException(name, "must be an integer");

    private static double Number(JsonElement body, string name, double fallback) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? fallback
        : value.TryGetDouble(out var number) ? number : throw new InvalidRequestException(name, "must be a number");
}

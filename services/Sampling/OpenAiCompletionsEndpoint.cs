using System.Text.Json;
using Microsoft.Extensions.Options;
using PrefSuite.Contracts.V1;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages;
using PrefSuite.Stages.Sampling;
using static PrefSuite.Stages.Sampling.OpenAiCompatibleSampler;

namespace PrefSuite.SamplingService;

/// <summary>An OpenAI-compatible POST /v1/completions for the built-in model: prompt (string or list), n, temperature, top_p, max_tokens, stop, seed, logprobs.</summary>
public static class OpenAiCompletionsEndpoint
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static WebApplication MapOpenAiCompletions(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/v1/completions", async (HttpContext context, SamplingStage stage, IOptions<SecurityOptions> security) =>
        {
            var key = security.Value.ApiKey;
            if (key.Length > 0 && !ApiKeyInterceptor.Matches(key, ApiKeyInterceptor.Presented(context.Request.Headers["x-api-key"], context.Request.Headers.Authorization)))
            {
                return Results.Json(new { error = new { message = "A valid API key is required.", type = "invalid_request_error" } }, statusCode: 401);
            }

            JsonElement body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body, Json, context.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException error)
            {
                return Error($"The body is not JSON: {error.Message}");
            }

            try
            {
                var (request, model) = Parse(body);
                var result = await stage.SampleAsync(request, context.RequestAborted).ConfigureAwait(false);
                var n = request.Params.N;
                var choices = result.Prompts.SelectMany((p, pi) => p.Responses.Select(r => new CompletionChoice(
                    r.Text,
                    (pi * n) + r.SampleIndex,
                    new CompletionLogprobs(r.TokenIds.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("<eos>").Take(r.TokenLogprobs.Count).ToArray(), r.TokenLogprobs.Select(v => (double?)v).ToArray()),
                    r.FinishReason == "length" ? "length" : "stop"))).ToArray();
                return Results.Json(new CompletionResponse($"cmpl-{Guid.NewGuid():N}", "text_completion", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), model.Length > 0 ? model : result.PolicyVersion, choices), Json);
            }
            catch (InvalidRequestException error)
            {
                return Error(error.Message);
            }
        });
        return app;
    }

    private static (SampleRequest Request, string Model) Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException("body", "must be a JSON object");
        }

        var prompts = body.TryGetProperty("prompt", out var prompt) ? prompt.ValueKind switch
        {
            JsonValueKind.String => [prompt.GetString()!],
            JsonValueKind.Array => prompt.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String ? p.GetString()! : throw new InvalidRequestException("prompt", "must be a string or a list of strings")).ToArray(),
            _ => throw new InvalidRequestException("prompt", "must be a string or a list of strings"),
        } : throw new InvalidRequestException("prompt", "is missing");
        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : string.Empty;
        var parameters = new SamplingParams
        {
            N = Int(body, "n", 1),
            Temperature = Number(body, "temperature", 1),
            TopP = Number(body, "top_p", 1),
            MaxNewTokens = Int(body, "max_tokens", 16),
            Seed = (ulong)Int(body, "seed", 0),
        };
        if (body.TryGetProperty("stop", out var stop))
        {
            parameters.Stop.Add(stop.ValueKind == JsonValueKind.String ? [stop.GetString()!] : stop.ValueKind == JsonValueKind.Array ? stop.EnumerateArray().Select(s => s.GetString() ?? string.Empty) : []);
        }

        var request = new SampleRequest { Params = parameters, Policy = new PolicyRef { Checkpoint = model is "" or "default" or "prefsuite" ? string.Empty : model } };
        request.Prompts.Add(prompts.Select((text, i) => new Prompt { PromptId = $"p{i}", Text = text }));
        return (request, model);
    }

    private static int Int(JsonElement body, string name, int fallback) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? fallback
        : value.TryGetInt32(out var number) ? number : throw new InvalidRequestException(name, "must be an integer");

    private static double Number(JsonElement body, string name, double fallback) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? fallback
        : value.TryGetDouble(out var number) ? number : throw new InvalidRequestException(name, "must be a number");

    private static IResult Error(string message) => Results.Json(new { error = new { message, type = "invalid_request_error" } }, statusCode: 400);
}

using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Mapping;

namespace PrefSuite.Stages.Sampling;

/// <summary>
/// Samples from any OpenAI-compatible completion server (vLLM, TGI, llama.cpp, Ollama, or PrefSuite's own
/// /v1/completions): one /v1/completions call per batch of prompts with n, temperature, top_p, seed and logprobs.
/// </summary>
public sealed class OpenAiCompatibleSampler(HttpClient http, string model, int promptsPerCall = 16) : IResponseSampler
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public async Task<(IReadOnlyList<IReadOnlyList<Response>> Responses, string PolicyVersion)> SampleAsync(
        IReadOnlyList<Prompt> prompts, SamplingParams parameters, PolicyRef? policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(parameters);
        var modelName = string.IsNullOrEmpty(policy?.Checkpoint) ? model : policy.Checkpoint;
        var result = new List<IReadOnlyList<Response>>(prompts.Count);
        for (var start = 0; start < prompts.Count; start += promptsPerCall)
        {
            var batch = prompts.Skip(start).Take(promptsPerCall).ToArray();
            var request = new CompletionRequest(
                modelName,
                batch.Select(PromptMapping.Flatten).ToArray(),
                parameters.N,
                parameters.Temperature,
                parameters.TopP == 0 ? 1 : parameters.TopP,
                parameters.MaxNewTokens,
                parameters.Stop.Count > 0 ? parameters.Stop.ToArray() : null,
                (long)parameters.Seed,
                Logprobs: 1);
            using var reply = await http.PostAsJsonAsync("v1/completions", request, Json, cancellationToken).ConfigureAwait(false);
            if (!reply.IsSuccessStatusCode)
            {
                var body = await reply.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new HttpRequestException($"The completion server answered {(int)reply.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
            }

            var completion = await reply.Content.ReadFromJsonAsync<CompletionResponse>(Json, cancellationToken).ConfigureAwait(false)
                ?? throw new HttpRequestException("The completion server sent an empty answer.");
            var grouped = Enumerable.Range(0, batch.Length).Select(_ => new List<Response>()).ToArray();
            foreach (var choice in completion.Choices.OrderBy(c => c.Index))
            {
                var promptIndex = choice.Index / parameters.N;
                var logprobs = choice.Logprobs?.TokenLogprobs?.Select(v => (float)(v ?? 0)).ToArray() ?? [];
                var response = new Response
                {
                    Text = choice.Text,
                    SampleIndex = choice.Index % parameters.N,
                    FinishReason = choice.FinishReason == "length" ? "length" : "eos",
                    Logprob = logprobs.Sum(v => (double)v),
                };
                response.TokenLogprobs.Add(logprobs);
                grouped[promptIndex].Add(response);
            }

            result.AddRange(grouped);
        }

        return (result, modelName);
    }

    /// <summary>The /v1/completions request body (OpenAI's legacy completions API).</summary>
    public sealed record CompletionRequest(string Model, string[] Prompt, int N, double Temperature, double TopP, int MaxTokens, string[]? Stop, long Seed, int? Logprobs);

    /// <summary>The /v1/completions response body ("object" is "text_completion").</summary>
    public sealed record CompletionResponse(string Id, [property: JsonPropertyName("object")] string Kind, long Created, string Model, IReadOnlyList<CompletionChoice> Choices);

    /// <summary>One completion: choices are numbered prompt index × n + sample index.</summary>
    public sealed record CompletionChoice(string Text, int Index, CompletionLogprobs? Logprobs, string FinishReason);

    /// <summary>Per-token log-probabilities.</summary>
    public sealed record CompletionLogprobs(IReadOnlyList<string> Tokens, IReadOnlyList<double?> TokenLogprobs);
}

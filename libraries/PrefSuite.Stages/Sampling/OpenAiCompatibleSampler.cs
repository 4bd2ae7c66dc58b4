using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Polly.Timeout;
using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;
using static PrefSuite.Stages.Sampling.OpenAiProtocol;

namespace PrefSuite.Stages.Sampling;

/// <summary>
/// Samples from an OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama, or PrefSuite's own sampling service).
/// A prompt given as messages goes to /v1/chat/completions, one request per prompt (the server applies its chat
/// template); text prompts go to /v1/completions, several per request. Every request carries n, temperature, top_p,
/// max_tokens, seed, stop (top_k only when set) and asks for log-probs: a response's logprob is the sum of its tokens'
/// log-probs, which are kept too. A server that sends no log-probs gives responses with logprob 0 and no token
/// log-probs. Requests run concurrently (the server batches them).
/// </summary>
/// <remarks>
/// The server decides what it serves: requests always name the configured model, and a request's policy reference
/// (the run's policy, which training starts from) is not sent. The client should come from
/// <see cref="GenerationHttp"/>: its timeout and retries suit generation.
/// </remarks>
public sealed class OpenAiCompatibleSampler : IResponseSampler
{
    private const string ChatPath = "chat/completions";
    private const string CompletionsPath = "completions";

    private readonly HttpClient _http;
    private readonly SamplingBackendOptions _options;

    /// <param name="http">A client whose BaseAddress is the server's /v1/ (see <see cref="GenerationHttp.Configure"/>).</param>
    public OpenAiCompatibleSampler(HttpClient http, SamplingBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The client needs the server's base address (GenerationHttp.Configure sets it).", nameof(http));
        }

        if (string.IsNullOrWhiteSpace(options.Model))
        {
            throw new ArgumentException($"{SamplingBackendOptions.Section}:{nameof(options.Model)} is required: the model name the server serves.", nameof(options));
        }

        if (options.PromptsPerRequest < 1 || options.ChoicesPerRequest < 0 || options.ConcurrentRequests < 1)
        {
            throw new ArgumentException(string.Join("; ", options.Problems()), nameof(options));
        }

        _http = http;
        _options = options;
    }

    /// <summary>The model every request names.</summary>
    public string Model => _options.Model;

    public async Task<(IReadOnlyList<IReadOnlyList<Response>> Responses, string PolicyVersion)> SampleAsync(
        IReadOnlyList<Prompt> prompts, SamplingParams parameters, PolicyRef? policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.N < 1)
        {
            throw new InvalidRequestException("sampling.n", $"must be at least 1, got {parameters.N}");
        }

        var results = new Response[prompts.Count][];
        var texts = new List<int>();
        var requests = new List<Func<CancellationToken, Task>>();
        for (var p = 0; p < prompts.Count; p++)
        {
            results[p] = new Response[parameters.N];
            if (prompts[p].Messages.Count == 0)
            {
                texts.Add(p);
                continue;
            }

            if (prompts[p].Text.Length > 0)
            {
                throw new InvalidRequestException($"prompts[{p}]", "set text or messages, not both");
            }

            var messages = Messages(prompts[p], p);
            var promptIndex = p;
            requests.AddRange(ChoiceRanges(parameters.N).Select(range => (Func<CancellationToken, Task>)(ct => ChatAsync(messages, promptIndex, range, parameters, results, ct))));
        }

        foreach (var batch in texts.Chunk(_options.PromptsPerRequest))
        {
            requests.AddRange(ChoiceRanges(parameters.N).Select(range => (Func<CancellationToken, Task>)(ct => CompleteAsync(prompts, batch, range, parameters, results, ct))));
        }

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = _options.ConcurrentRequests, CancellationToken = cancellationToken }, (request, ct) => new ValueTask(request(ct))).ConfigureAwait(false);
        return (results, _options.Model);
    }

    /// <summary>The chat request of one prompt for samples [range.First, range.First + range.Count).</summary>
    internal ChatCompletionRequest ChatRequest(IReadOnlyList<OpenAiMessage> messages, ChoiceRange range, SamplingParams parameters) =>
        new(_options.Model, messages, range.Count, parameters.Temperature, TopP(parameters), parameters.MaxNewTokens, Stop(parameters), Seed(parameters, range), Logprobs: true, TopK(parameters));

    /// <summary>The completions request of a batch of text prompts for samples [range.First, range.First + range.Count).</summary>
    internal CompletionRequest CompletionRequest(IEnumerable<string> texts, ChoiceRange range, SamplingParams parameters) =>
        new(_options.Model, texts.ToArray(), range.Count, parameters.Temperature, TopP(parameters), parameters.MaxNewTokens, Stop(parameters), Seed(parameters, range), Logprobs: 1, TopK(parameters));

    /// <summary>
    /// The samples asked of each request: all N at once, or ChoicesPerRequest at a time for servers without n. The k-th
    /// request of a prompt gets seed + k, so its samples differ from the others' yet repeat with the same seed.
    /// </summary>
    internal IReadOnlyList<ChoiceRange> ChoiceRanges(int n)
    {
        var size = _options.ChoicesPerRequest == 0 ? n : Math.Min(_options.ChoicesPerRequest, n);
        return Enumerable.Range(0, (n + size - 1) / size).Select(k => new ChoiceRange(k, k * size, Math.Min(size, n - (k * size)))).ToArray();
    }

    /// <summary>PrefSuite responses from a chat completion answering <paramref name="range"/>.Count choices.</summary>
    internal static Response[] FromChat(ChatCompletionResponse completion, ChoiceRange range, Uri endpoint)
    {
        var choices = Checked(completion.Choices, c => c.Index, range.Count, endpoint, "1 conversation");
        return choices.Select(choice => ToResponse(choice.Message?.Content ?? string.Empty, range.First + choice.Index, choice.FinishReason, choice.Logprobs?.Content?.Select(t => t.Logprob).ToArray())).ToArray();
    }

    /// <summary>PrefSuite responses, per prompt of the batch, from a completion answering <paramref name="prompts"/> × <paramref name="range"/>.Count choices.</summary>
    internal static Response[][] FromCompletion(CompletionResponse completion, int prompts, ChoiceRange range, Uri endpoint)
    {
        var choices = Checked(completion.Choices, c => c.Index, prompts * range.Count, endpoint, prompts == 1 ? "1 prompt" : $"{prompts} prompts");
        var grouped = Enumerable.Range(0, prompts).Select(_ => new Response[range.Count]).ToArray();
        foreach (var choice in choices)
        {
            // Null entries: some servers send null for a token they have no log-prob for (e.g. the first of an echo).
            var logprobs = choice.Logprobs?.TokenLogprobs?.Select(v => v ?? 0).ToArray();
            grouped[choice.Index / range.Count][choice.Index % range.Count] = ToResponse(choice.Text ?? string.Empty, range.First + (choice.Index % range.Count), choice.FinishReason, logprobs);
        }

        return grouped;
    }

    private static Response ToResponse(string text, int sampleIndex, string? finishReason, double[]? tokenLogprobs)
    {
        var response = new Response
        {
            Text = text,
            SampleIndex = sampleIndex,
            FinishReason = FinishReasonFromOpenAi(finishReason),
            Logprob = tokenLogprobs?.Sum() ?? 0,
        };
        if (tokenLogprobs is not null)
        {
            response.TokenLogprobs.Add(tokenLogprobs.Select(v => (float)v));
        }

        return response;
    }

    /// <summary>The choices in index order, each of 0..expected-1 exactly once; else an error that says what the server sent.</summary>
    private static T[] Checked<T>(IReadOnlyList<T>? choices, Func<T, int> index, int expected, Uri endpoint, string asked)
    {
        var ordered = (choices ?? []).OrderBy(index).ToArray();
        if (ordered.Length != expected || ordered.Select(index).Where((value, i) => value != i).Any())
        {
            var hint = ordered.Length < expected
                ? $" A server that ignores n needs {SamplingBackendOptions.Section}:{nameof(SamplingBackendOptions.ChoicesPerRequest)}=1 (--choices-per-request 1); one that takes one prompt per request, {SamplingBackendOptions.Section}:{nameof(SamplingBackendOptions.PromptsPerRequest)}=1."
                : string.Empty;
            throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture, $"POST {endpoint} answered {ordered.Length} choices numbered [{string.Join(", ", ordered.Select(index))}] for {asked}; expected {expected}, numbered 0 to {expected - 1}.{hint}"));
        }

        return ordered;
    }

    private async Task ChatAsync(IReadOnlyList<OpenAiMessage> messages, int promptIndex, ChoiceRange range, SamplingParams parameters, Response[][] results, CancellationToken cancellationToken)
    {
        var (completion, endpoint) = await PostAsync<ChatCompletionResponse>(ChatPath, ChatRequest(messages, range, parameters), "chat completion", cancellationToken).ConfigureAwait(false);
        FromChat(completion, range, endpoint).CopyTo(results[promptIndex], range.First);
    }

    private async Task CompleteAsync(IReadOnlyList<Prompt> prompts, int[] batch, ChoiceRange range, SamplingParams parameters, Response[][] results, CancellationToken cancellationToken)
    {
        var (completion, endpoint) = await PostAsync<CompletionResponse>(CompletionsPath, CompletionRequest(batch.Select(p => prompts[p].Text), range, parameters), "text completion", cancellationToken).ConfigureAwait(false);
        var grouped = FromCompletion(completion, batch.Length, range, endpoint);
        for (var i = 0; i < batch.Length; i++)
        {
            grouped[i].CopyTo(results[batch[i]], range.First);
        }
    }

    private async Task<(T Body, Uri Endpoint)> PostAsync<T>(string path, object body, string expected, CancellationToken cancellationToken)
        where T : class
    {
        var endpoint = new Uri(_http.BaseAddress!, path);
        using var content = JsonContent.Create(body, body.GetType(), mediaType: null, Json);
        HttpResponseMessage reply;
        try
        {
            reply = await _http.PostAsync(endpoint, content, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException error)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"POST {endpoint} gave no answer within {_options.RequestTimeout:c} (the request timeout, {SamplingBackendOptions.Section}:{nameof(SamplingBackendOptions.RequestTimeout)} or --request-timeout)."), error);
        }
        catch (HttpRequestException error)
        {
            throw new HttpRequestException($"POST {endpoint} failed: {error.Message}", error, error.StatusCode);
        }

        using (reply)
        {
            if (!reply.IsSuccessStatusCode)
            {
                var text = await reply.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var message = string.Create(CultureInfo.InvariantCulture, $"POST {endpoint} answered {(int)reply.StatusCode} {reply.ReasonPhrase}: {ErrorMessage(text)}");

                // The server says this request can never succeed as given (a prompt too long for the model, a bad
                // parameter): the caller's mistake, answered InvalidArgument and dead-lettered at once.
                throw reply.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity
                    ? new InvalidRequestException(message)
                    : new HttpRequestException(message, null, reply.StatusCode);
            }

            try
            {
                var parsed = await reply.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false);
                return (parsed ?? throw new JsonException("the body is null"), endpoint);
            }
            catch (JsonException error)
            {
                throw new HttpRequestException($"POST {endpoint} answered with a body that is not a {expected}: {error.Message}", error);
            }
        }
    }

    private static OpenAiMessage[] Messages(Prompt prompt, int index)
    {
        for (var m = 0; m < prompt.Messages.Count; m++)
        {
            if (string.IsNullOrEmpty(prompt.Messages[m].Role))
            {
                throw new InvalidRequestException($"prompts[{index}].messages[{m}].role", "is missing");
            }
        }

        return prompt.Messages.Select(m => new OpenAiMessage(m.Role, m.Content)).ToArray();
    }

    private static double TopP(SamplingParams parameters) => parameters.TopP == 0 ? 1 : parameters.TopP;

    private static int? TopK(SamplingParams parameters) => parameters.TopK > 0 ? parameters.TopK : null;

    private static string[]? Stop(SamplingParams parameters) => parameters.Stop.Count > 0 ? parameters.Stop.ToArray() : null;

    // OpenAI's seed is a signed 64-bit integer: the top bit of PrefSuite's unsigned seed is dropped.
    private static long Seed(SamplingParams parameters, ChoiceRange range) => unchecked((long)((parameters.Seed + (ulong)range.Request) & long.MaxValue));

    /// <summary>The samples one request asks for: the request's number k among a prompt's, and samples [First, First + Count).</summary>
    internal readonly record struct ChoiceRange(int Request, int First, int Count);
}

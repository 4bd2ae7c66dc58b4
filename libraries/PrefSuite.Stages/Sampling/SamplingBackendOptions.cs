using System.Globalization;

namespace PrefSuite.Stages.Sampling;

/// <summary>
/// Where the sampling stage gets responses (section "Sampling"): a policy of the model store, or an OpenAI-compatible
/// server (vLLM, SGLang, llama.cpp, Ollama) with the generation client's own timeout and retry settings.
/// </summary>
public sealed class SamplingBackendOptions
{
    public const string Section = "Sampling";
    public const string PolicyBackend = "policy";
    public const string OpenAiBackend = "openai";

    /// <summary>"policy" (the built-in or Hugging Face policy, in process) or "openai" (an OpenAI-compatible server).</summary>
    public string Backend { get; set; } = PolicyBackend;

    /// <summary>The policy backend's policy when a request names none: a version, alias or checkpoint folder.</summary>
    public string DefaultPolicy { get; set; } = "default";

    /// <summary>The server's OpenAI base address, with or without the trailing /v1 (http://localhost:8000/v1).</summary>
    public string Endpoint { get; set; } = string.Empty;

    /// <summary>The model the server serves (vLLM's --served-model-name, Ollama's model tag).</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>Sent as "Authorization: Bearer KEY" when set.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>How long one generation request may take (default 10 minutes): long generations on a busy server are normal.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Retries of a request the server never started: connection failures, 429 and 503.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry's delay; later ones back off exponentially (with jitter), or follow Retry-After.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Text prompts sent together in one /v1/completions request (1 for servers that take one prompt per request).</summary>
    public int PromptsPerRequest { get; set; } = 16;

    /// <summary>
    /// The most choices (n) asked of one request; 0 asks for all N at once. Set 1 for servers that do not honour n
    /// (some llama.cpp and Ollama versions refuse or ignore it): N requests are sent, the k-th with seed + k.
    /// </summary>
    public int ChoicesPerRequest { get; set; }

    /// <summary>Requests in flight at once (the server batches them: vLLM and SGLang generate concurrent requests together).</summary>
    public int ConcurrentRequests { get; set; } = 8;

    /// <summary>Whether the OpenAI-compatible backend is chosen.</summary>
    public bool IsOpenAi => string.Equals(Backend, OpenAiBackend, StringComparison.Ordinal);

    /// <summary>
    /// Every problem with these settings, each naming its key as <paramref name="keyName"/> spells it
    /// (Sampling:Model in configuration, --model on the command line). Empty when the settings are usable.
    /// </summary>
    public IReadOnlyList<string> Problems(Func<string, string>? keyName = null)
    {
        keyName ??= ConfigurationKey;
        var problems = new List<string>();
        if (Backend is not (PolicyBackend or OpenAiBackend))
        {
            problems.Add($"{keyName(nameof(Backend))} must be '{PolicyBackend}' or '{OpenAiBackend}', got '{Backend}'");
        }

        if (RequestTimeout < TimeSpan.FromSeconds(1) || RequestTimeout > TimeSpan.FromDays(1))
        {
            problems.Add($"{keyName(nameof(RequestTimeout))} must lie between 1 second and 1 day, got {RequestTimeout.ToString("c", CultureInfo.InvariantCulture)}");
        }

        if (MaxRetries is < 0 or > 20)
        {
            problems.Add($"{keyName(nameof(MaxRetries))} must lie in [0, 20], got {MaxRetries}");
        }

        if (RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{keyName(nameof(RetryDelay))} must lie between 0 and 5 minutes, got {RetryDelay.ToString("c", CultureInfo.InvariantCulture)}");
        }

        if (PromptsPerRequest is < 1 or > SamplingStage.MaxPromptsPerCall)
        {
            problems.Add($"{keyName(nameof(PromptsPerRequest))} must lie in [1, {SamplingStage.MaxPromptsPerCall}], got {PromptsPerRequest}");
        }

        if (ChoicesPerRequest is < 0 or > SamplingStage.MaxSamplesPerPrompt)
        {
            problems.Add($"{keyName(nameof(ChoicesPerRequest))} must lie in [0, {SamplingStage.MaxSamplesPerPrompt}] (0: all at once), got {ChoicesPerRequest}");
        }

        if (ConcurrentRequests is < 1 or > 256)
        {
            problems.Add($"{keyName(nameof(ConcurrentRequests))} must lie in [1, 256], got {ConcurrentRequests}");
        }

        if (IsOpenAi)
        {
            if (string.IsNullOrWhiteSpace(Endpoint))
            {
                problems.Add($"{keyName(nameof(Endpoint))} is required with the {OpenAiBackend} backend: the server's base address, e.g. http://localhost:8000/v1");
            }
            else if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add($"{keyName(nameof(Endpoint))} must be an absolute http or https address, got '{Endpoint}'");
            }

            if (string.IsNullOrWhiteSpace(Model))
            {
                problems.Add($"{keyName(nameof(Model))} is required with the {OpenAiBackend} backend: the model name the server serves");
            }
        }

        return problems;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem (see <see cref="Problems"/>).</summary>
    public SamplingBackendOptions Validate(Func<string, string>? keyName = null)
    {
        var problems = Problems(keyName);
        return problems.Count == 0 ? this : throw new ArgumentException(string.Join("; ", problems));
    }

    /// <summary>The server's /v1/ base address: the endpoint with /v1 appended unless it ends with it.</summary>
    public Uri BaseAddress()
    {
        var endpoint = Endpoint.Trim().TrimEnd('/');
        return new Uri((endpoint.EndsWith("/v1", StringComparison.Ordinal) ? endpoint : endpoint + "/v1") + "/");
    }

    private static string ConfigurationKey(string property) => $"{Section}:{property}";
}

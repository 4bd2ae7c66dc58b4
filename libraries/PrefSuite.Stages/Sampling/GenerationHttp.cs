using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace PrefSuite.Stages.Sampling;

/// <summary>
/// The HTTP client of generation calls. Not the standard resilience handler every other client gets (10 s per
/// attempt, 30 s in all, POSTs retried on any 5xx and on timeouts): a generation may rightly take minutes, and a
/// retried generation costs as much again.
/// </summary>
/// <remarks>
/// Retried: what the server never started — connection failures (nothing was sent), 429 and 503 (refused before
/// generating), with exponential backoff and jitter, or after Retry-After when the server sends one.
/// Not retried: a request that ran out its timeout, a connection that dropped mid-answer, and any other status. Every
/// PrefSuite request carries a seed, so a repeat would give the same responses where the server honours seeds (vLLM
/// does; OpenAI only tries): retrying would be safe but not useful. A generation that outlived a timeout sized for the
/// longest expected answer is likely to do it again, the abandoned one may still be running on the server (most notice
/// the disconnect only between tokens), and the caller already repeats failed work: a pipeline unit goes back to its
/// queue up to its delivery limit, a CLI run resumes where it stopped. Repeating here as well would multiply the load
/// on a server that is already slow.
/// </remarks>
public static class GenerationHttp
{
    /// <summary>The named client the sampling service registers (IHttpClientFactory).</summary>
    public const string ClientName = "prefsuite-generation";

    /// <summary>Retries of requests never started, then the per-request timeout (innermost, so each attempt gets the full time).</summary>
    public static ResiliencePipelineBuilder<HttpResponseMessage> AddGenerationStrategies(this ResiliencePipelineBuilder<HttpResponseMessage> builder, SamplingBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                Name = "generation-retry",
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                MaxDelay = TimeSpan.FromMinutes(2),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(IsRetried(args.Outcome)),
            });
        }

        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "generation-timeout", Timeout = options.RequestTimeout });
        return builder;
    }

    /// <summary>Whether an attempt's outcome is retried: a connection never made, 429 or 503 (see the remarks on the type).</summary>
    public static bool IsRetried(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } } => true,
        { Exception: null, Result.StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable } => true,
        _ => false,
    };

    /// <summary>Base address, no client-level timeout (the pipeline's per-request timeout governs) and the API key.</summary>
    public static void Configure(HttpClient http, SamplingBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        http.BaseAddress = options.BaseAddress();

        // HttpClient's own 100 s default would cut generations short whatever the pipeline allows.
        http.Timeout = Timeout.InfiniteTimeSpan;
        if (options.ApiKey.Length > 0)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        }
    }

    /// <summary>A generation client without dependency injection (the CLI): the same pipeline over a pooled socket handler.</summary>
    /// <param name="primary">The innermost handler (tests); a SocketsHttpHandler by default.</param>
    public static HttpClient CreateClient(SamplingBackendOptions options, TimeProvider? time = null, HttpMessageHandler? primary = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time ?? TimeProvider.System }.AddGenerationStrategies(options).Build();
        var http = new HttpClient(new ResilienceHandler(pipeline) { InnerHandler = primary ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) } }, disposeHandler: true);
        Configure(http, options);
        return http;
    }
}

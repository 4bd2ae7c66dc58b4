using System.Net;
using Microsoft.Extensions.Time.Testing;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Sampling;

namespace PrefSuite.Stages.Tests.Sampling;

/// <summary>The generation client's pipeline, attempt by attempt, on fake time: what is retried, what is not, how long a request may take.</summary>
public sealed class GenerationHttpTests
{
    private const string Answer = """{"id":"c","object":"text_completion","created":1,"model":"m","choices":[{"text":"done","index":0,"logprobs":null,"finish_reason":"stop"}]}""";

    private static readonly SamplingBackendOptions Options = Configured(_ => { });

    private static SamplingBackendOptions Configured(Action<SamplingBackendOptions> change)
    {
        var options = new SamplingBackendOptions { Backend = "openai", Endpoint = "http://server.test", Model = "m", MaxRetries = 3, RetryDelay = TimeSpan.Zero };
        change(options);
        return options;
    }

    private static Task<(IReadOnlyList<IReadOnlyList<Response>> Responses, string PolicyVersion)> SampleAsync(SamplingBackendOptions options, HttpMessageHandler server, TimeProvider? time = null)
    {
        var http = GenerationHttp.CreateClient(options, time, server);
        return new OpenAiCompatibleSampler(http, options).SampleAsync([new Prompt { PromptId = "a", Text = "t" }], new SamplingParams { N = 1, MaxNewTokens = 3 }, null);
    }

    private static Task<HttpResponseMessage> Status(HttpStatusCode status) => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent("""{"error": {"message": "busy"}}""") });

    private static Task<HttpResponseMessage> Ok() => Task.FromResult(ScriptedServer.Json(Answer));

    [Fact]
    public async Task A503AndA429AreRetriedAndTheLaterAnswerIsRead()
    {
        var server = new Attempts(_ => Status(HttpStatusCode.ServiceUnavailable), _ => Status(HttpStatusCode.TooManyRequests), _ => Ok());

        var (responses, _) = await SampleAsync(Options, server);

        Assert.Equal("done", responses[0][0].Text);
        Assert.Equal(3, server.Count);
    }

    [Fact]
    public async Task AConnectionNeverMadeIsRetried()
    {
        var server = new Attempts(
            _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (server.test:80)"),
            _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (server.test:80)"),
            _ => Ok());

        var (responses, _) = await SampleAsync(Options, server);

        Assert.Equal("done", responses[0][0].Text);
        Assert.Equal(3, server.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task OtherStatusesAreNotRetried(HttpStatusCode status)
    {
        var server = new Attempts(_ => Status(status), _ => Ok());

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => SampleAsync(Options, server));

        Assert.Equal(1, server.Count);
        Assert.Equal($"POST http://server.test/v1/completions answered {(int)status} {new HttpResponseMessage(status).ReasonPhrase}: busy", error.Message);
    }

    [Fact]
    public async Task AConnectionThatDropsMidAnswerIsNotRetried()
    {
        var server = new Attempts(_ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."), _ => Ok());

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => SampleAsync(Options, server));

        Assert.Equal(1, server.Count);
        Assert.Equal("POST http://server.test/v1/completions failed: The response ended prematurely.", error.Message);
    }

    [Fact]
    public async Task RetriesStopAfterMaxRetries()
    {
        var server = new Attempts(_ => Status(HttpStatusCode.ServiceUnavailable));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => SampleAsync(Options, server));

        Assert.Equal(4, server.Count);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
    }

    [Fact]
    public async Task RetriesWaitWithBackoff()
    {
        var time = new FakeTimeProvider();
        var server = new Attempts(_ => Status(HttpStatusCode.ServiceUnavailable), _ => Ok());

        var sampling = SampleAsync(Configured(o => o.RetryDelay = TimeSpan.FromSeconds(30)), server, time);
        await server.WaitForAttemptsAsync(1);
        await Task.Delay(200);
        Assert.Equal(1, server.Count); // fake time stands still: the backoff has not elapsed
        time.Advance(TimeSpan.FromMinutes(2.1)); // past the longest backoff (2 minutes)
        var (responses, _) = await sampling;

        Assert.Equal("done", responses[0][0].Text);
        Assert.Equal(2, server.Count);
    }

    [Fact]
    public async Task AGenerationMinutesLongIsRead()
    {
        var time = new FakeTimeProvider();
        var server = new Attempts(ct => Slow(TimeSpan.FromMinutes(5), time, ct));

        var sampling = SampleAsync(Options, server, time);
        await server.WaitForAttemptsAsync(1);
        time.Advance(TimeSpan.FromSeconds(11)); // past the standard handler's 10 s attempt timeout
        Assert.False(sampling.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(5));
        var (responses, _) = await sampling;

        Assert.Equal("done", responses[0][0].Text);
        Assert.Equal(1, server.Count);
    }

    [Fact]
    public async Task AGenerationPastTheRequestTimeoutIsNotRetriedAndTheErrorNamesTheTimeout()
    {
        var time = new FakeTimeProvider();
        var server = new Attempts(ct => Slow(TimeSpan.FromMinutes(5), time, ct));

        var sampling = SampleAsync(Configured(o => o.RequestTimeout = TimeSpan.FromMinutes(1)), server, time);
        await server.WaitForAttemptsAsync(1);
        time.Advance(TimeSpan.FromMinutes(1));
        var error = await Assert.ThrowsAsync<TimeoutException>(() => sampling);

        Assert.Equal(1, server.Count);
        Assert.Equal("POST http://server.test/v1/completions gave no answer within 00:01:00 (the request timeout, Sampling:RequestTimeout or --request-timeout).", error.Message);
    }

    private static async Task<HttpResponseMessage> Slow(TimeSpan duration, TimeProvider time, CancellationToken cancellationToken)
    {
        await Task.Delay(duration, time, cancellationToken);
        return await Ok();
    }

    /// <summary>Answers attempt k with outcome k (the last one repeats) and counts attempts.</summary>
    private sealed class Attempts(params Func<CancellationToken, Task<HttpResponseMessage>>[] outcomes) : HttpMessageHandler
    {
        private readonly SemaphoreSlim _arrived = new(0);
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public async Task WaitForAttemptsAsync(int attempts)
        {
            for (var i = 0; i < attempts; i++)
            {
                Assert.True(await _arrived.WaitAsync(TimeSpan.FromSeconds(30)), "the attempt never came");
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var attempt = Interlocked.Increment(ref _count) - 1;
            try
            {
                return outcomes[Math.Min(attempt, outcomes.Length - 1)](cancellationToken);
            }
            finally
            {
                _arrived.Release();
            }
        }
    }
}

using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Sampling;

namespace PrefSuite.Integration.Tests.Services;

/// <summary>
/// The sampling service's generation client, as the service registers it (ServiceDefaults included), on fake time: it
/// waits minutes for an answer where every other client's standard handler gives up after 10 seconds. Fake time keeps
/// the test fast; the control call shows the fake clock does reach the standard handler, so the test would catch it.
/// </summary>
public sealed class GenerationClientTests : IDisposable
{
    private const string Answer = """{"id":"c","object":"text_completion","created":1,"model":"served","choices":[{"text":"done","index":0,"logprobs":null,"finish_reason":"stop"}]}""";

    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), "prefsuite-gen-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_artifacts))
        {
            Directory.Delete(_artifacts, recursive: true);
        }
    }

    [Fact]
    public async Task TheGenerationClientWaitsMinutesWhereTheStandardHandlerGivesUpAfterTenSeconds()
    {
        var time = new FakeTimeProvider();
        var generationServer = new SlowServer(time, TimeSpan.FromMinutes(4));
        var otherServer = new SlowServer(time, TimeSpan.FromMinutes(4));
        await using var app = SamplingService.SamplingServiceApp.Build(
            ["--Sampling:Backend=openai", "--Sampling:Endpoint=http://generation.test:8000/v1", "--Sampling:Model=served", $"--Artifacts:Root={_artifacts}",
             "--ConnectionStrings:rabbitmq=", "--ConnectionStrings:redis=", "--Logging:LogLevel:Default=Warning"],
            builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(time);
                builder.Services.AddHttpClient(GenerationHttp.ClientName).ConfigurePrimaryHttpMessageHandler(() => generationServer);
                builder.Services.AddHttpClient("any-other").ConfigurePrimaryHttpMessageHandler(() => otherServer);
            });

        // Control: a client with the service's defaults gives up within the first fake minute (10 s per attempt,
        // the POST sent again after each timeout, 30 s in all).
        var other = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("any-other");
        var control = other.PostAsync("http://generation.test:8000/v1/completions", new StringContent("{}", Encoding.UTF8, "application/json"));
        await otherServer.WaitForRequestAsync();
        await AdvanceAsync(time, TimeSpan.FromMinutes(1), control);
        await Assert.ThrowsAsync<Polly.Timeout.TimeoutRejectedException>(() => control.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(otherServer.Requests >= 2, $"the standard handler sent the POST {otherServer.Requests} time(s)");

        var sampler = Assert.IsType<OpenAiCompatibleSampler>(app.Services.GetRequiredService<IResponseSampler>());
        var sampling = sampler.SampleAsync([new Prompt { PromptId = "a", Text = "t" }], new SamplingParams { N = 1, MaxNewTokens = 3 }, null);
        await generationServer.WaitForRequestAsync();
        await AdvanceAsync(time, TimeSpan.FromMinutes(1), sampling);
        Assert.False(sampling.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(3));
        var (responses, version) = await sampling.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("done", responses[0][0].Text);
        Assert.Equal("served", version);
        Assert.Equal(1, generationServer.Requests);
        Assert.Equal("http://generation.test:8000/v1/completions", generationServer.LastUri);
    }

    /// <summary>Moves the fake clock a second at a time (letting continuations run between steps) until <paramref name="until"/> ends or <paramref name="span"/> has passed.</summary>
    private static async Task AdvanceAsync(FakeTimeProvider time, TimeSpan span, Task until)
    {
        for (var passed = TimeSpan.Zero; passed < span && !until.IsCompleted; passed += TimeSpan.FromSeconds(1))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }
    }

    /// <summary>Answers every request after <c>delay</c> of (fake) time.</summary>
    private sealed class SlowServer(TimeProvider time, TimeSpan delay) : HttpMessageHandler
    {
        private readonly SemaphoreSlim _arrived = new(0);
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public string? LastUri { get; private set; }

        public async Task WaitForRequestAsync() => Assert.True(await _arrived.WaitAsync(TimeSpan.FromSeconds(30)), "no request came");

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            LastUri = request.RequestUri?.ToString();
            var wait = Task.Delay(delay, time, cancellationToken);
            _arrived.Release();
            await wait;
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(Answer, Encoding.UTF8, "application/json") };
        }
    }
}

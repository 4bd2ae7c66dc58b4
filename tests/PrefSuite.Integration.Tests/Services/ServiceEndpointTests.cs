using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using PrefSuite.AppHost;
using PrefSuite.Contracts.V1;
using PrefSuite.Models.Policy;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Integration.Tests.Services;

/// <summary>Single services on real ports, without queues: authentication and the OpenAI-compatible endpoints.</summary>
public sealed class ServiceEndpointTests : IDisposable
{
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), "prefsuite-svc-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_artifacts))
        {
            Directory.Delete(_artifacts, recursive: true);
        }
    }

    private async Task<(WebApplication App, int Grpc, int Http)> StartAsync(Func<string[], WebApplication> build, params string[] extra)
    {
        var (grpc, http) = (FreePorts.Next(), FreePorts.Next());
        var app = build([$"--GRPC_PORT={grpc.ToString(CultureInfo.InvariantCulture)}", $"--HTTP_PORT={http.ToString(CultureInfo.InvariantCulture)}", $"--Artifacts:Root={_artifacts}", "--Logging:LogLevel:Default=Warning",
            // Queue-less even where .ci/run exported the servers' connection strings: these services must not consume
            // the queues the messaging tests are using at the same time.
            "--ConnectionStrings:rabbitmq=", "--ConnectionStrings:redis=", .. extra]);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return (app, grpc, http);
    }

    [Fact]
    public async Task AnApiKeyIsRequiredWhenConfiguredButHealthStaysOpen()
    {
        var (app, grpc, http) = await StartAsync(a => DenoisingService.DenoisingServiceApp.Build(a), "--Security:ApiKey=0123456789abcdef-secret");
        await using (app)
        {
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpc}");
            var client = new Contracts.V1.DenoisingService.DenoisingServiceClient(channel);
            var matrix = new Matrix { Rows = 2, Columns = 2, Values = { 0, 1, -1, 0 } };

            var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.DenoiseAsync(new DenoiseRequest { Matrix = matrix }));
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
            var wrong = await Assert.ThrowsAsync<RpcException>(async () => await client.DenoiseAsync(new DenoiseRequest { Matrix = matrix }, new Metadata { { "x-api-key", "wrong" } }));
            Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);

            var answer = await client.DenoiseAsync(new DenoiseRequest { Matrix = matrix }, new Metadata { { "authorization", "Bearer 0123456789abcdef-secret" } });
            Assert.Equal(2, answer.Scores.Count);
            var health = new Grpc.Health.V1.Health.HealthClient(channel);
            Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest())).Status);
            using var httpClient = new HttpClient();
            Assert.Equal("Healthy", await httpClient.GetStringAsync($"http://127.0.0.1:{http}/health"));
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task ReadinessReportsABrokerItCannotReachWhileLivenessStaysUp()
    {
        // A port nothing listens on, and no connect retries: Aspire.RabbitMQ.Client's health check fails at once.
        var closed = FreePorts.Next();
        var (app, _, http) = await StartAsync(a => DenoisingService.DenoisingServiceApp.Build(a),
            $"--ConnectionStrings:rabbitmq=amqp://guest:guest@127.0.0.1:{closed.ToString(CultureInfo.InvariantCulture)}/", "--Aspire:RabbitMQ:Client:MaxConnectRetryCount=0");
        await using (app)
        {
            using var httpClient = new HttpClient();
            var ready = await httpClient.GetAsync($"http://127.0.0.1:{http}/health");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
            Assert.Equal("Healthy", await httpClient.GetStringAsync($"http://127.0.0.1:{http}/alive"));
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task RequireApiKeyRefusesToStartWithoutOne()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => DenoisingService.DenoisingServiceApp.Build(a), "--Security:RequireApiKey=true"));
        Assert.Contains("Security:ApiKey", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOpenAiCompatibleBackendSamplesFromTheSuitesOwnEndpointAsTheBuiltInSamplerDoes()
    {
        var store = new FileArtifactStore(_artifacts);
        using var policies = new PolicyStore(store);
        using (var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 32, Heads = 2 }, 4))
        {
            await policies.SetAliasAsync("default", await policies.RegisterAsync(policy, "init"));
        }

        var (app, _, http) = await StartAsync(a => SamplingService.SamplingServiceApp.Build(a));
        await using (app)
        {
            Prompt[] prompts = [new() { PromptId = "a", Text = "sort 3 1 =" }, new() { PromptId = "b", Text = "sort 9 4 2 =" }];
            var parameters = new SamplingParams { N = 3, Temperature = 1, MaxNewTokens = 6, Seed = 11 };
            var backend = new SamplingBackendOptions { Backend = "openai", Endpoint = $"http://127.0.0.1:{http}", Model = "default" };
            using var client = GenerationHttp.CreateClient(backend);

            var (remote, model) = await new OpenAiCompatibleSampler(client, backend).SampleAsync(prompts, parameters, null);
            var (local, _) = await new PolicySampler(policies).SampleAsync(
                prompts.Select((p, i) => new Prompt { PromptId = $"p{i}", Text = p.Text }).ToArray(), parameters, null);

            Assert.Equal("default", model);
            Assert.Equal(local.Select(r => r.Select(x => x.Text)), remote.Select(r => r.Select(x => x.Text)));
            Assert.All(local.Zip(remote).SelectMany(p => p.First.Zip(p.Second)), p => Assert.Equal(p.First.Logprob, p.Second.Logprob, 4));

            var bad = await client.PostAsync("completions", new StringContent("{\"prompt\": 42}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("prompt", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task TheChatEndpointSamplesMessagePromptsAsThePolicySamplerDoesGreedily()
    {
        await RegisterDefaultPolicyAsync();
        var (app, _, http) = await StartAsync(a => SamplingService.SamplingServiceApp.Build(a));
        await using (app)
        {
            Prompt[] prompts =
            [
                Conversation("a", ("system", "sort the numbers"), ("user", "3 1 2")),
                new() { PromptId = "b", Text = "sort 9 4 2 =" },
                Conversation("c", ("user", "sort 5 7 6 =")),
            ];
            var parameters = new SamplingParams { N = 2, Temperature = 0, MaxNewTokens = 6, Seed = 3 };
            var backend = new SamplingBackendOptions { Backend = "openai", Endpoint = $"http://127.0.0.1:{http}/v1", Model = "default" };
            var paths = new List<string>();
            using var client = GenerationHttp.CreateClient(backend, primary: new Recording(paths, new SocketsHttpHandler()));

            var (remote, version) = await new OpenAiCompatibleSampler(client, backend).SampleAsync(prompts, parameters, null);
            var store = new FileArtifactStore(_artifacts);
            using var policies = new PolicyStore(store);
            var (local, _) = await new PolicySampler(policies).SampleAsync(prompts, parameters, null);

            Assert.Equal("default", version);
            Assert.Equal(["/v1/chat/completions", "/v1/chat/completions", "/v1/completions"], paths.Order(StringComparer.Ordinal));
            Assert.Equal(local.Select(r => r.Select(x => x.Text)), remote.Select(r => r.Select(x => x.Text)));
            Assert.Equal(local.Select(r => r.Select(x => x.FinishReason == "length" ? "length" : "eos")), remote.Select(r => r.Select(x => x.FinishReason)));
            Assert.All(local.Zip(remote).SelectMany(p => p.First.Zip(p.Second)), p =>
            {
                Assert.Equal(p.First.Logprob, p.Second.Logprob, 4);
                Assert.Equal(p.First.TokenLogprobs.Count, p.Second.TokenLogprobs.Count);
                Assert.True(p.Second.TokenLogprobs.Count > 0);
            });
            Assert.All(remote.SelectMany(r => r), r => Assert.True(r.Logprob < 0));
            Assert.All(remote.SelectMany(r => r), r => Assert.NotEmpty(r.Text));
            Assert.NotEqual(remote[0][0].Text, remote[2][0].Text); // the conversations reached the model

            // The built-in policy reads a conversation as "role: content" lines: the same as that text prompt.
            var (flat, _) = await new PolicySampler(policies).SampleAsync([new Prompt { PromptId = "a", Text = "system: sort the numbers\nuser: 3 1 2" }], parameters, null);
            Assert.Equal(flat[0].Select(r => r.Text), remote[0].Select(r => r.Text));
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task TheChatEndpointAnswersInOpenAisShapeAndNamesTheFieldOfABadRequest()
    {
        await RegisterDefaultPolicyAsync();
        var (app, _, http) = await StartAsync(a => SamplingService.SamplingServiceApp.Build(a));
        await using (app)
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}/") };
            var answer = await client.PostAsync("v1/chat/completions", Json("""{"model": "default", "messages": [{"role": "user", "content": [{"type": "text", "text": "sort 2 1 ="}]}], "n": 3, "temperature": 1, "max_tokens": 4, "seed": 7}"""));
            Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
            using var body = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            Assert.Equal("chat.completion", body.RootElement.GetProperty("object").GetString());
            var choices = body.RootElement.GetProperty("choices").EnumerateArray().ToArray();
            Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
            Assert.All(choices, c => Assert.Equal("assistant", c.GetProperty("message").GetProperty("role").GetString()));
            Assert.All(choices, c => Assert.Equal(System.Text.Json.JsonValueKind.Null, c.GetProperty("logprobs").ValueKind)); // not asked for
            Assert.All(choices, c => Assert.Contains(c.GetProperty("finish_reason").GetString(), (string[])["stop", "length"]));

            var missingRole = await client.PostAsync("v1/chat/completions", Json("""{"messages": [{"content": "hi"}]}"""));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, missingRole.StatusCode);
            Assert.Contains("messages[0].role: is missing", await missingRole.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var badN = await client.PostAsync("v1/chat/completions", Json("""{"messages": [{"role": "user", "content": "hi"}], "n": 0}"""));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, badN.StatusCode);
            Assert.Contains("sampling.n", await badN.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // Through the OpenAI backend, the service's refusal comes back naming the endpoint and quoting the service.
            var backend = new SamplingBackendOptions { Backend = "openai", Endpoint = $"http://127.0.0.1:{http}", Model = "no-such-policy" };
            using var generation = GenerationHttp.CreateClient(backend);
            var refused = await Assert.ThrowsAsync<InvalidRequestException>(() => new OpenAiCompatibleSampler(generation, backend).SampleAsync([Conversation("a", ("user", "hi"))], new SamplingParams { N = 1, MaxNewTokens = 2 }, null));
            Assert.StartsWith($"POST http://127.0.0.1:{http}/v1/chat/completions answered 400 Bad Request: policy.checkpoint:", refused.Message, StringComparison.Ordinal);
            Assert.Contains("no-such-policy", refused.Message, StringComparison.Ordinal);
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task TheOpenAiBackendRefusesToStartWithoutEndpointAndModelNamingTheKeys()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => SamplingService.SamplingServiceApp.Build(a), "--Sampling:Backend=openai", "--Sampling:RequestTimeout=00:00:00.5"));

        Assert.Contains("Sampling:Endpoint is required", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Sampling:Model is required", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Sampling:RequestTimeout must lie between 1 second and 1 day", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServiceRefusesToStartWithAPublishTimeoutOutOfRangeNamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => SelectionService.SelectionServiceApp.Build(a), "--ConnectionStrings:rabbitmq=amqp://guest:guest@127.0.0.1:1/", "--Messaging:PublishTimeout=00:00:00.2"));

        Assert.Contains("Messaging:PublishTimeout must lie between 1 second and 1 day", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A built-in policy with the byte tokenizer: any text, so conversations as "role: content" lines too.</summary>
    private async Task RegisterDefaultPolicyAsync()
    {
        using var policies = new PolicyStore(new FileArtifactStore(_artifacts));
        using var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 32, Heads = 2, Context = 96, Tokenizer = Models.Tokenization.ByteTokenizer.TokenizerName }, 4);
        await policies.SetAliasAsync("default", await policies.RegisterAsync(policy, "init"));
    }

    private static Prompt Conversation(string id, params (string Role, string Content)[] messages)
    {
        var prompt = new Prompt { PromptId = id };
        prompt.Messages.Add(messages.Select(m => new ChatMessage { Role = m.Role, Content = m.Content }));
        return prompt;
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    /// <summary>Passes requests on to the real server, noting each one's path.</summary>
    private sealed class Recording(List<string> paths, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (paths)
            {
                paths.Add(request.RequestUri!.AbsolutePath);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}

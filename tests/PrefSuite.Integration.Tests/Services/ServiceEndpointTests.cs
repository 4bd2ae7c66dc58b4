using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using PrefSuite.AppHost;
using PrefSuite.Contracts.V1;
using PrefSuite.Models.Policy;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Storage;

namespace PrefSuite.Integration.Tests.Services;

/// <summary>Single services on real ports, without queues: authentication and the OpenAI-compatible endpoint.</summary>
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
            await policies.SetAliasAsync("default", policies.Register(policy, "init"));
        }

        var (app, _, http) = await StartAsync(a => SamplingService.SamplingServiceApp.Build(a));
        await using (app)
        {
            Prompt[] prompts = [new() { PromptId = "a", Text = "sort 3 1 =" }, new() { PromptId = "b", Text = "sort 9 4 2 =" }];
            var parameters = new SamplingParams { N = 3, Temperature = 1, MaxNewTokens = 6, Seed = 11 };
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}/") };

            var (remote, model) = await new OpenAiCompatibleSampler(client, "default").SampleAsync(prompts, parameters, null);
            var (local, _) = await new PolicySampler(policies).SampleAsync(
                prompts.Select((p, i) => new Prompt { PromptId = $"p{i}", Text = p.Text }).ToArray(), parameters, null);

            Assert.Equal("default", model);
            Assert.Equal(local.Select(r => r.Select(x => x.Text)), remote.Select(r => r.Select(x => x.Text)));
            Assert.All(local.Zip(remote).SelectMany(p => p.First.Zip(p.Second)), p => Assert.Equal(p.First.Logprob, p.Second.Logprob, 4));

            var bad = await client.PostAsync("v1/completions", new StringContent("{\"prompt\": 42}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("prompt", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await app.StopAsync();
        }
    }
}

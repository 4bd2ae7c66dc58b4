using Microsoft.Extensions.Options;
using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.SamplingService;

/// <summary>Registers the sampling stage: its backend (a policy of the model store, or an OpenAI-compatible server) and queue consumer.</summary>
public static class SamplingStageExtensions
{
    public static WebApplicationBuilder AddSamplingStage(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPolicyStore(builder.Configuration);
        var section = builder.Configuration.GetSection(SamplingBackendOptions.Section);
        builder.Services.AddOptions<SamplingBackendOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SamplingBackendOptions>, SamplingBackendValidation>();
        if ((section.Get<SamplingBackendOptions>() ?? new SamplingBackendOptions()).IsOpenAi)
        {
            // Generation calls leave the standard resilience handler of ServiceDefaults (10 s per attempt, POSTs
            // retried) for a pipeline of their own: see GenerationHttp. Service discovery stays, so Sampling:Endpoint
            // may name an Aspire resource (http://vllm). RemoveAllResilienceHandlers is marked for evaluation
            // (EXTEXP0001) but is the library's way to take one client out of ConfigureHttpClientDefaults; the
            // integration test GenerationClientTests fails should it stop doing so.
#pragma warning disable EXTEXP0001
            builder.Services.AddHttpClient(GenerationHttp.ClientName)
                .ConfigureHttpClient((services, http) => GenerationHttp.Configure(http, Options(services)))
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
                .RemoveAllResilienceHandlers()
                .AddResilienceHandler("generation", (pipeline, context) => pipeline.AddGenerationStrategies(Options(context.ServiceProvider)));
#pragma warning restore EXTEXP0001
            builder.Services.AddSingleton<IResponseSampler>(services => new OpenAiCompatibleSampler(services.GetRequiredService<IHttpClientFactory>().CreateClient(GenerationHttp.ClientName), Options(services)));
        }
        else
        {
            builder.Services.AddSingleton<IResponseSampler>(services => new PolicySampler(services.GetRequiredService<PolicyStore>(), Options(services).DefaultPolicy));
        }

        builder.Services.AddSingleton<SamplingStage>();
        if (builder.Configuration.HasMessaging())
        {
            builder.Services.AddStageConsumer(sp => new SampleHandler(sp.GetRequiredService<SamplingStage>(), sp.GetRequiredService<RunSpecs>()), prefetch: 64);
        }

        return builder;
    }

    private static SamplingBackendOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<SamplingBackendOptions>>().Value;

    /// <summary>Checks the Sampling section at start; every error names its key (Sampling:Model).</summary>
    private sealed class SamplingBackendValidation : IValidateOptions<SamplingBackendOptions>
    {
        public ValidateOptionsResult Validate(string? name, SamplingBackendOptions options) =>
            options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}

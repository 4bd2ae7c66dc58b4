using PrefSuite.Messaging;
using PrefSuite.ServiceHosting;
using PrefSuite.Stages.Runs;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Storage;

namespace PrefSuite.SamplingService;

/// <summary>Registers the sampling stage: its backend (built-in policy or an OpenAI-compatible server) and queue consumer.</summary>
public static class SamplingStageExtensions
{
    public static WebApplicationBuilder AddSamplingStage(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection("Sampling");
        if (section["Backend"] is "openai")
        {
            var endpoint = section["Endpoint"] ?? throw new InvalidOperationException("Sampling:Backend is openai: set Sampling:Endpoint to the server's base address.");
            builder.Services.AddHttpClient<OpenAiCompatibleSampler>(http =>
            {
                http.BaseAddress = new Uri(endpoint.TrimEnd('/') + "/");
                http.Timeout = TimeSpan.FromMinutes(5);
                if (section["ApiKey"] is { Length: > 0 } key)
                {
                    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
                }
            }).AddTypedClient<IResponseSampler>((http, _) => new OpenAiCompatibleSampler(http, section["Model"] ?? "default"));
        }
        else
        {
            builder.Services.AddSingleton<IResponseSampler>(sp => new PolicySampler(sp.GetRequiredService<PolicyStore>(), section["DefaultPolicy"] ?? "default"));
        }

        builder.Services.AddSingleton<SamplingStage>();
        if (builder.Configuration.HasMessaging())
        {
            builder.Services.AddQueueConsumer<SampleUnitHandler>(Queues.Sample, prefetch: 64);
        }

        return builder;
    }
}

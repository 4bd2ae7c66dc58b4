using Grpc.Core;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Sampling;

namespace PrefSuite.SamplingService;

/// <summary>gRPC front of the sampling stage.</summary>
public sealed class SamplingGrpcService(SamplingStage stage) : Contracts.V1.SamplingService.SamplingServiceBase
{
    public override Task<SampleResponse> Sample(SampleRequest request, ServerCallContext context) =>
        stage.SampleAsync(request, context.CancellationToken);

    public override async Task SampleStream(SampleRequest request, IServerStreamWriter<SampledPrompt> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        SamplingStage.Validate(request.Prompts, request.Sampling);
        foreach (var prompt in request.Prompts)
        {
            var one = new SampleRequest { Sampling = request.Sampling, Policy = request.Policy };
            one.Prompts.Add(prompt);
            var result = await stage.SampleAsync(one, context.CancellationToken).ConfigureAwait(false);
            await responseStream.WriteAsync(result.Prompts[0], context.CancellationToken).ConfigureAwait(false);
        }
    }
}

using Grpc.Core;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Denoising;

namespace PrefSuite.DenoisingService;

/// <summary>gRPC front of the denoising stage (robust PCA is CPU work: it runs off the request thread).</summary>
public sealed class DenoisingGrpcService : Contracts.V1.DenoisingService.DenoisingServiceBase
{
    public override Task<DenoiseResponse> Denoise(DenoiseRequest request, ServerCallContext context) =>
        Task.Run(() => DenoisingStage.Denoise(request), context.CancellationToken);

    public override Task<PromptUnit> DenoisePrompt(PromptUnit request, ServerCallContext context) =>
        Task.Run(() => DenoisingStage.DenoiseUnit(request), context.CancellationToken);
}

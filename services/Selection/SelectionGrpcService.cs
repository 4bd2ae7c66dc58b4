using Grpc.Core;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Selection;

namespace PrefSuite.SelectionService;

/// <summary>gRPC front of the selection stage.</summary>
public sealed class SelectionGrpcService : Contracts.V1.SelectionService.SelectionServiceBase
{
    public override Task<SelectPairsResponse> SelectPairs(SelectPairsRequest request, ServerCallContext context) =>
        Task.Run(() => SelectionStage.SelectPairs(request), context.CancellationToken);
}

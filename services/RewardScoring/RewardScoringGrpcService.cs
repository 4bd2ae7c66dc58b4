using Grpc.Core;
using PrefSuite.Contracts.V1;

namespace PrefSuite.RewardScoringService;

/// <summary>gRPC front of the scoring stage.</summary>
public sealed class RewardScoringGrpcService(ScoringStageProvider stages) : Contracts.V1.RewardScoringService.RewardScoringServiceBase
{
    public override async Task<ScoreResponse> Score(ScoreRequest request, ServerCallContext context)
    {
        var stage = await stages.GetAsync().ConfigureAwait(false);
        return await stage.ScoreAsync(request, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task ScoreStream(IAsyncStreamReader<ScoreRequest> requestStream, IServerStreamWriter<ScoreResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        var stage = await stages.GetAsync().ConfigureAwait(false);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(await stage.ScoreAsync(request, context.CancellationToken).ConfigureAwait(false), context.CancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<ListScorersResponse> ListScorers(ListScorersRequest request, ServerCallContext context)
    {
        var stage = await stages.GetAsync().ConfigureAwait(false);
        var response = new ListScorersResponse();
        foreach (var scorer in stage.Scorers)
        {
            var info = new ScorerInfo { Id = scorer.Id, Version = scorer.Version, IsDefault = stage.Defaults.Contains(scorer.Id) };
            info.Heads.Add(scorer.Heads);
            response.Scorers.Add(info);
        }

        return response;
    }
}

using System.Diagnostics;
using PrefSuite.Contracts.V1;
using PrefSuite.Science.Denoising;
using PrefSuite.Science.LinearAlgebra;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Denoising;

/// <summary>The denoising stage: robust PCA of preference matrices (SCIENCE.md §5).</summary>
public static class DenoisingStage
{
    public const int MaxSize = 2048;

    public static DenoiseResponse Denoise(DenoiseRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (matrix, observed) = Validate(request.Matrix);
        var options = Options(request.Options);
        var clock = Stopwatch.StartNew();
        DenoisedRanking ranking;
        try
        {
            ranking = PreferenceDenoising.Denoise(matrix, observed, options);
        }
        catch (ArgumentException error)
        {
            throw new InvalidRequestException("matrix", error.Message);
        }

        var response = new DenoiseResponse
        {
            LowRank = ToProto(ranking.Decomposition.LowRank),
            Sparse = ToProto(ranking.Decomposition.Sparse),
            Report = Report(ranking, clock.Elapsed.TotalSeconds),
        };
        response.Scores.Add(ranking.DenoisedScores);
        return response;
    }

    /// <summary>
    /// The queue step: the unit's reward sources (each scorer, or each head of a single multi-head scorer) are denoised
    /// together (<see cref="MultiSourceDenoising"/>): their win probabilities are averaged into a preference matrix,
    /// robust PCA separates the comparisons a source got wrong, and each response's denoised reward is its
    /// Bradley–Terry score from L in the combined reward's units. With a single source, or sources whose comparisons all
    /// agree, there is nothing to denoise and the rewards are passed through unchanged (reported as rank 2, nothing
    /// flagged, τ = 1).
    /// </summary>
    public static PromptUnit DenoiseUnit(PromptUnit unit, DenoiseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (unit.Responses.Count < 2)
        {
            throw new InvalidRequestException("responses", $"has {unit.Responses.Count}; denoising needs at least two");
        }

        var sources = Sources(unit);
        var result = unit.Clone();
        var raw = unit.Responses.Select(r => r.Reward.Reward).ToArray();
        var clock = Stopwatch.StartNew();
        var denoised = MultiSourceDenoising.Denoise(sources, raw, Options(options));
        for (var i = 0; i < result.Responses.Count; i++)
        {
            result.Responses[i].DenoisedReward = denoised.Rewards[i];
        }

        result.Denoise = denoised.Ranking is { } ranking
            ? Report(ranking, clock.Elapsed.TotalSeconds)
            : new DenoiseReport { Rank = 2, Converged = true, KendallTau = 1, Seconds = clock.Elapsed.TotalSeconds };
        return result;
    }

    private static List<double[]> Sources(PromptUnit unit)
    {
        for (var i = 0; i < unit.Responses.Count; i++)
        {
            if (unit.Responses[i].Reward is null)
            {
                throw new InvalidRequestException($"responses[{i}].reward", "is missing: score the responses first");
            }
        }

        var first = unit.Responses[0];
        if (first.RewardsByScorer.Count > 1)
        {
            return Enumerable.Range(0, first.RewardsByScorer.Count).Select(s => unit.Responses.Select(r => r.RewardsByScorer[s].Reward).ToArray()).ToList();
        }

        var heads = first.Reward.Heads.Keys.Order(StringComparer.Ordinal).ToArray();
        if (heads.Length > 1 && unit.Responses.All(r => heads.All(h => r.Reward.Heads.ContainsKey(h))))
        {
            return heads.Select(h => unit.Responses.Select(r => r.Reward.Heads[h]).ToArray()).ToList();
        }

        return [unit.Responses.Select(r => r.Reward.Reward).ToArray()];
    }

    private static RobustPcaOptions Options(DenoiseOptions? options)
    {
        options ??= new DenoiseOptions();
        if (options.Tolerance < 0 || options.Tolerance >= 1)
        {
            throw new InvalidRequestException("options.tolerance", "must lie in (0, 1)");
        }

        if (options.MaxIterations < 0)
        {
            throw new InvalidRequestException("options.max_iterations", "must not be negative");
        }

        return new RobustPcaOptions
        {
            Tolerance = options.Tolerance == 0 ? 1e-7 : options.Tolerance,
            MaxIterations = options.MaxIterations == 0 ? 1000 : options.MaxIterations,
            Lambda = options.HasSparseWeight ? options.SparseWeight : null,
            Svd = options.FullSvd ? SvdMode.Full : SvdMode.Auto,
        };
    }

    private static (DenseMatrix Matrix, bool[]? Observed) Validate(Matrix? matrix)
    {
        if (matrix is null)
        {
            throw new InvalidRequestException("matrix", "is missing");
        }

        if (matrix.Rows < 1 || matrix.Columns < 1 || matrix.Rows > MaxSize || matrix.Columns > MaxSize)
        {
            throw new InvalidRequestException("matrix", $"is {matrix.Rows}×{matrix.Columns}; sizes must lie in [1, {MaxSize}]");
        }

        if (matrix.Rows != matrix.Columns)
        {
            throw new InvalidRequestException("matrix", $"is {matrix.Rows}×{matrix.Columns}; a preference matrix must be square");
        }

        if (matrix.Values.Count != matrix.Rows * matrix.Columns)
        {
            throw new InvalidRequestException("matrix.values", $"has {matrix.Values.Count} values; {matrix.Rows}×{matrix.Columns} needs {matrix.Rows * matrix.Columns}");
        }

        if (matrix.Observed.Count != 0 && matrix.Observed.Count != matrix.Values.Count)
        {
            throw new InvalidRequestException("matrix.observed", $"has {matrix.Observed.Count} flags; give none or {matrix.Values.Count}");
        }

        return (new DenseMatrix(matrix.Rows, matrix.Columns, [.. matrix.Values]), matrix.Observed.Count == 0 ? null : [.. matrix.Observed]);
    }

    private static DenoiseReport Report(DenoisedRanking ranking, double seconds) => new()
    {
        Iterations = ranking.Decomposition.Iterations,
        Residual = ranking.Decomposition.Residual,
        Rank = ranking.Decomposition.Rank,
        Flagged = ranking.Decomposition.Flagged,
        Converged = ranking.Decomposition.Converged,
        KendallTau = ranking.KendallTau,
        Seconds = seconds,
    };

    private static Matrix ToProto(DenseMatrix matrix)
    {
        var proto = new Matrix { Rows = matrix.Rows, Columns = matrix.Columns };
        proto.Values.Add(matrix.Data);
        return proto;
    }
}

using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Pairs;
using PrefSuite.Science.Statistics;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Mapping;

/// <summary>Selection settings and results between the protos and the libraries, with validation that names fields.</summary>
public static class SelectionMapping
{
    public static PairStrategyOptions ToOptions(StrategyOptions? options, string field = "strategy")
    {
        options ??= new StrategyOptions();
        var name = options.Strategy switch
        {
            PairStrategy.Unspecified or PairStrategy.SweetSpot => StrategyNames.SweetSpot,
            PairStrategy.MaxMin => StrategyNames.MaxMin,
            PairStrategy.Position => StrategyNames.Position,
            PairStrategy.MaxMinOfKRandom => StrategyNames.MaxMinOfKRandom,
            PairStrategy.Random => StrategyNames.Random,
            _ => throw new InvalidRequestException($"{field}.strategy", $"unknown strategy {options.Strategy}"),
        };
        var result = new PairStrategyOptions
        {
            Name = name,
            Chosen = Position(options.ChosenPosition, $"{field}.chosen_position"),
            Rejected = Position(options.RejectedPosition, $"{field}.rejected_position"),
            K = options.K == 0 ? 5 : options.K > 0 ? options.K : throw new InvalidRequestException($"{field}.k", "must be at least 1"),
            PairsPerPrompt = options.PairsPerPrompt == 0 ? 1 : options.PairsPerPrompt > 0 ? options.PairsPerPrompt : throw new InvalidRequestException($"{field}.pairs_per_prompt", "must be at least 1"),
            Seed = options.Seed,
            Sigma = options.SampleSigma ? SigmaKind.Sample : SigmaKind.Population,
        };
        try
        {
            PairStrategies.Create(result);
        }
        catch (ArgumentException error)
        {
            throw new InvalidRequestException(field, error.Message);
        }

        return result;
    }

    public static DatasetSelectionOptions ToOptions(DatasetOptions? options, string field = "dataset")
    {
        options ??= new DatasetOptions();
        if (options.KeepFraction is < 0 or > 1)
        {
            throw new InvalidRequestException($"{field}.keep_fraction", "must lie in [0, 1]");
        }

        if (options.KeepCount < 0)
        {
            throw new InvalidRequestException($"{field}.keep_count", "must not be negative");
        }

        return new DatasetSelectionOptions
        {
            Aggregation = options.Aggregation switch
            {
                Aggregation.Mean => AggregationMethod.Mean,
                Aggregation.Max => AggregationMethod.Max,
                Aggregation.Min => AggregationMethod.Min,
                _ => AggregationMethod.Bayes,
            },
            Keep = options.KeepCount > 0 ? KeepRule.OfCount(options.KeepCount) : options.KeepFraction > 0 ? KeepRule.OfFraction(options.KeepFraction) : KeepRule.All,
            CapQuantile = options.CapQuantile == 0 ? MarginProbability.DefaultCapQuantile : options.CapQuantile is > 0 and <= 1 ? options.CapQuantile : throw new InvalidRequestException($"{field}.cap_quantile", "must lie in (0, 1]"),
            ExternalCap = options.HasExternalCap ? options.ExternalCap : null,
            ImplicitCap = options.HasImplicitCap ? options.ImplicitCap : null,
            RouteSmallMargins = options.RouteSmallMargins,
            RouteQuantile = options.RouteQuantile == 0 ? Science.Routing.SmallMarginRouting.DefaultThresholdQuantile : options.RouteQuantile is > 0 and <= 1 ? options.RouteQuantile : throw new InvalidRequestException($"{field}.route_quantile", "must lie in (0, 1]"),
        };
    }

    public static PreferencePair ToProto(PairRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var pair = new PreferencePair
        {
            PromptId = row.PromptId ?? string.Empty,
            Prompt = PromptMapping.ToProto(row.PromptId ?? string.Empty, row.Prompt),
            Chosen = row.Chosen,
            Rejected = row.Rejected,
            ScoreChosen = row.ScoreChosen,
            ScoreRejected = row.ScoreRejected,
            Margin = row.Margin ?? (row.ScoreChosen - row.ScoreRejected),
            Route = row.Route == "sft" ? Route.Sft : Route.Dpo,
            Strategy = row.Strategy ?? string.Empty,
            ChosenPosition = row.ChosenPosition ?? string.Empty,
            RejectedPosition = row.RejectedPosition ?? string.Empty,
            ChosenIndex = row.ChosenIndex ?? -1,
            RejectedIndex = row.RejectedIndex ?? -1,
            Fallback = row.Fallback ?? string.Empty,
            PExternal = row.ProbabilityExternal ?? double.NaN,
            Probability = row.Probability ?? double.NaN,
            Swapped = row.Swapped ?? false,
        };
        if (row.ImplicitMargin is { } im)
        {
            pair.ImplicitMargin = im;
        }

        if (row.ProbabilityImplicit is { } pi)
        {
            pair.PImplicit = pi;
        }

        if (row.Goal is { } goal)
        {
            pair.Goal = goal;
        }

        return pair;
    }

    public static Contracts.V1.SelectionSummary ToProto(Data.Selection.SelectionSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new Contracts.V1.SelectionSummary
        {
            Prompts = summary.Prompts,
            FlatPrompts = summary.FlatPrompts,
            Fallbacks = summary.Fallbacks,
            CandidatePairs = summary.CandidatePairs,
            Kept = summary.Kept,
            RoutedToSft = summary.RoutedToSft,
            MeanChosenReward = summary.MeanChosenReward,
            MeanRejectedReward = summary.MeanRejectedReward,
        };
    }

    /// <summary>
    /// A scored unit as the selection library reads it: the combined reward, and the denoised one when denoising ran
    /// (selection uses it); every response must have been scored.
    /// </summary>
    public static ScoredPrompt ToScoredPrompt(PromptUnit unit, string field = "prompts")
    {
        ArgumentNullException.ThrowIfNull(unit);
        var responses = new List<ScoredResponse>(unit.Responses.Count);
        for (var i = 0; i < unit.Responses.Count; i++)
        {
            var response = unit.Responses[i];
            var reward = response.Reward is { } vector ? vector.Reward
                : response.HasDenoisedReward ? response.DenoisedReward
                : throw new InvalidRequestException($"{field}[{unit.Prompt?.PromptId}].responses[{i}].reward", "is missing: score the responses first");
            double? denoised = response.HasDenoisedReward ? response.DenoisedReward : null;
            if (!double.IsFinite(reward) || denoised is { } d && !double.IsFinite(d))
            {
                throw new InvalidRequestException($"{field}[{unit.Prompt?.PromptId}].responses[{i}].reward", $"is {(double.IsFinite(reward) ? denoised : reward)}; rewards must be finite");
            }

            responses.Add(new ScoredResponse(response.Text, reward, response.Reward?.Heads.Count > 0 ? response.Reward.Heads : null, response.HasImplicitReward ? response.ImplicitReward : null, response.Logprob, denoised));
        }

        var prompt = unit.Prompt ?? throw new InvalidRequestException($"{field}.prompt", "is missing");
        if (string.IsNullOrEmpty(prompt.PromptId))
        {
            throw new InvalidRequestException($"{field}.prompt.prompt_id", "is missing");
        }

        return new ScoredPrompt(prompt.PromptId, PromptMapping.ToText(prompt, $"{field}.prompt"), responses) { SourceFile = $"run {unit.RunId}" };
    }

    private static Science.Statistics.RewardPosition? Position(string text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Science.Statistics.RewardPosition.TryParse(text, out var position)
            ? position
            : throw new InvalidRequestException(field, $"'{text}' is not a reward position (min, max, mu, mu±Ksigma)");
    }
}

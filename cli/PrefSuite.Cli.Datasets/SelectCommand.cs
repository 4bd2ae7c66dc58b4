using System.CommandLine;
using System.Globalization;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Margins;
using PrefSuite.Science.Pairs;
using PrefSuite.Science.Scoring;
using PrefSuite.Science.Statistics;

namespace PrefSuite.Cli.Commands;

/// <summary><c>prefsuite select</c>: scored prompts in, TRL preference pairs out.</summary>
internal static class SelectCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input", "-i") { Description = "Prompts with scored responses, JSONL or Parquet: PrefSuite's format, UltraFeedback, ultrafeedback_binarized or other TRL preference rows, distilabel, or any layout named by the column options.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the pairs: TRL JSONL, or Parquet when the name ends in .parquet.", Required = true };
        var format = new Option<string>("--format") { Description = "auto | scored | ultrafeedback | ultrafeedback-binarized | distilabel | mapped.", DefaultValueFactory = _ => "auto" };
        var conversational = new Option<bool>("--conversational") { Description = "Write every prompt as a message list and responses as assistant messages (TRL's conversational format)." };
        var strategy = new Option<string>("--strategy") { Description = $"{string.Join(" | ", StrategyNames.All)}.", DefaultValueFactory = _ => StrategyNames.SweetSpot };
        var chosen = new Option<string?>("--chosen") { Description = "Chosen position: min, mu-2sigma, …, max (sweet-spot: any mu±Ksigma). Default max." };
        var rejected = new Option<string?>("--rejected") { Description = "Rejected position. Default mu-2sigma." };
        var k = new Option<int>("--k") { Description = "Samples drawn for max-min-of-k-random.", DefaultValueFactory = _ => 5 };
        var pairsPerPrompt = new Option<int>("--pairs-per-prompt") { Description = "Pairs per prompt (disjoint samples).", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "Seed for the randomized strategies.", DefaultValueFactory = _ => 0 };
        var sigma = new Option<string>("--sigma") { Description = "population | sample standard deviation.", DefaultValueFactory = _ => "population" };
        var aggregate = new Option<string?>("--aggregate") { Description = "bayes | mean | max | min: combine external and implicit margin probabilities and keep the top pairs." };
        var keep = new Option<string?>("--keep") { Description = "Pairs to keep by aggregated probability: a fraction (0.1, 10%) or a count. Default: 0.1 with --aggregate, else all." };
        var capQuantile = new Option<double>("--cap-quantile") { Description = "Dataset quantile of each margin used as its cap.", DefaultValueFactory = _ => MarginProbability.DefaultCapQuantile };
        var externalCap = new Option<double?>("--external-cap") { Description = "Fixed cap for the external margin (overrides the quantile)." };
        var implicitCap = new Option<double?>("--implicit-cap") { Description = "Fixed cap for the implicit margin (overrides the quantile)." };
        var route = new Option<bool>("--route-small-margins") { Description = "Order pairs easy → hard and route small-margin pairs to SFT instead of dropping them." };
        var routeQuantile = new Option<double>("--route-quantile") { Description = "Margin quantile below which pairs go to SFT.", DefaultValueFactory = _ => 1.0 / 3.0 };
        var headWeights = new Option<string?>("--head-weights") { Description = "Weights for reward heads when a response has no 'reward': helpfulness=0.5,honesty=0.5. Default: their mean." };
        var ufScore = new Option<string>("--ultrafeedback-score") { Description = "fine-grained | overall: which UltraFeedback score is the reward.", DefaultValueFactory = _ => "fine-grained" };

        var command = new Command("select", "Build preference pairs from scored prompts (sweet spot, margins, Bayesian aggregation, routing).")
        {
            input, output, format, strategy, chosen, rejected, k, pairsPerPrompt, seed, sigma, aggregate, keep, capQuantile, externalCap, implicitCap, route, routeQuantile, headWeights, ufScore, conversational,
        };
        var columns = new DatasetFlags().AddTo(command);

        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var notes = new FieldNotes();
            var readOptions = new ScoredReadOptions
            {
                Format = CommandRunner.ParseOption("--format", parse.GetValue(format)!, ScoredReadOptions.ParseFormat),
                Mapping = columns.Mapping(parse),
                Strict = columns.Strict(parse),
                Notes = notes,
                HeadWeights = parse.GetValue(headWeights) is { } weights ? CommandRunner.ParseOption("--head-weights", weights, HeadWeights.Parse) : HeadWeights.EqualMean,
                UltraFeedbackScore = CommandRunner.ParseOption("--ultrafeedback-score", parse.GetValue(ufScore)!, ParseUltraFeedbackScore),
            };
            var aggregation = parse.GetValue(aggregate);
            var keepText = parse.GetValue(keep);
            var options = new SelectOptions
            {
                Strategy = new PairStrategyOptions
                {
                    Name = parse.GetValue(strategy)!,
                    Chosen = parse.GetValue(chosen) is { } c ? CommandRunner.ParseOption("--chosen", c, RewardPosition.Parse) : null,
                    Rejected = parse.GetValue(rejected) is { } r ? CommandRunner.ParseOption("--rejected", r, RewardPosition.Parse) : null,
                    K = Positive("--k", parse.GetValue(k)),
                    PairsPerPrompt = Positive("--pairs-per-prompt", parse.GetValue(pairsPerPrompt)),
                    Seed = parse.GetValue(seed),
                    Sigma = CommandRunner.ParseOption("--sigma", parse.GetValue(sigma)!, ParseSigma),
                },
                Dataset = new DatasetSelectionOptions
                {
                    Aggregation = aggregation is null ? AggregationMethod.Bayes : CommandRunner.ParseOption("--aggregate", aggregation, MarginAggregation.Parse),
                    Keep = keepText is not null ? CommandRunner.ParseOption("--keep", keepText, KeepRule.Parse) : aggregation is not null ? KeepRule.Default : KeepRule.All,
                    CapQuantile = UnitInterval("--cap-quantile", parse.GetValue(capQuantile)),
                    ExternalCap = parse.GetValue(externalCap),
                    ImplicitCap = parse.GetValue(implicitCap),
                    RouteSmallMargins = parse.GetValue(route),
                    RouteQuantile = UnitInterval("--route-quantile", parse.GetValue(routeQuantile)),
                },
            };

            var inputPath = parse.GetValue(input)!.FullName;
            var outputPath = parse.GetValue(output)!.FullName;
            var summary = await StreamingPairSelector.SelectFileAsync(inputPath, readOptions, options, outputPath,
                new PairOutput { Format = PairOutput.FormatOf(outputPath), Conversational = parse.GetValue(conversational), SpillFolder = Path.GetDirectoryName(outputPath) },
                cancellationToken).ConfigureAwait(false);
            await DatasetFlags.NoteAsync(stderr, notes, inputPath).ConfigureAwait(false);
            await stderr.WriteLineAsync(Describe(summary, options)).ConfigureAwait(false);
        });
        return command;
    }

    private static string Describe(SelectionSummary s, SelectOptions options)
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"prompts {s.Prompts} → candidate pairs {s.CandidatePairs} → kept {s.Kept} (dpo {s.Kept - s.RoutedToSft}, sft {s.RoutedToSft})"),
            string.Create(CultureInfo.InvariantCulture, $"strategy {options.Strategy.Name}; prompts without a pair: {s.WithoutPair.Total} (all rewards equal {s.WithoutPair.AllRewardsEqual}, none at the positions {s.WithoutPair.NoPairAtPositions}, only zero-margin pairs {s.WithoutPair.OnlyZeroMargin}, not kept {s.WithoutPair.NotKept}); zero-margin pairs {s.ZeroMarginPairs} ({s.DroppedZeroMarginPairs} dropped); max/min fallbacks (N < 3): {s.Fallbacks}"),
        };
        if (s.Kept < s.CandidatePairs || s.UsedImplicitMargins)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"margins: external cap {s.ExternalCap:G4}{(s.ImplicitCap is { } ic ? $", implicit cap {ic:G4}, aggregation {options.Dataset.Aggregation.ToString().ToLowerInvariant()}" : ", no implicit rewards")}"));
        }

        if (options.Dataset.RouteSmallMargins)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"routing: margin below {s.RouteThreshold:G4} → sft; pairs ordered easy → hard"));
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"mean reward of kept pairs: chosen {s.MeanChosenReward:G4}, rejected {s.MeanRejectedReward:G4}"));
        return string.Join(Environment.NewLine, lines);
    }

    private static int Positive(string option, int value) => value >= 1 ? value : throw new OptionException($"{option}: must be at least 1, got {value}.");

    private static double UnitInterval(string option, double value) => value is >= 0 and <= 1 ? value : throw new OptionException($"{option}: must lie in [0, 1], got {value}.");

    private static SigmaKind ParseSigma(string text) => text.Trim().ToLowerInvariant() switch
    {
        "population" => SigmaKind.Population,
        "sample" => SigmaKind.Sample,
        _ => throw new FormatException($"'{text}' is not population or sample."),
    };

    private static UltraFeedbackScore ParseUltraFeedbackScore(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fine-grained" => UltraFeedbackScore.FineGrained,
        "overall" => UltraFeedbackScore.Overall,
        _ => throw new FormatException($"'{text}' is not fine-grained or overall."),
    };
}

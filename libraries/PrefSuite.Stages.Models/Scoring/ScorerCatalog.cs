using System.Globalization;
using Microsoft.Extensions.Logging;
using PrefSuite.Models.Demo;
using PrefSuite.Models.Rewards;
using PrefSuite.Science.Scoring;
using PrefSuite.Stages.Storage;

namespace PrefSuite.Stages.Scoring;

/// <summary>
/// Builds scorers from configuration strings:
/// "programmatic:NAME" (a registered programmatic reward, e.g. sorting),
/// "simulated:sorting?noise=0.1&amp;flip=0&amp;seed=0" (the demo's simulated reward model),
/// "onnx:FOLDER" (a reward bundle), "hf:FOLDER[?weights=HEAD=W,…]" (a Hugging Face *ForSequenceClassification reward
/// model), "implicit:POLICY,REFERENCE[,BETA]" (model-store references or checkpoint folders).
/// </summary>
public static class ScorerCatalog
{
    public static async Task<IRewardScorer> CreateAsync(string spec, PolicyStore policies, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        ArgumentNullException.ThrowIfNull(policies);
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new FormatException($"'{spec}' is not a scorer spec (programmatic:NAME, simulated:sorting?noise=…, onnx:FOLDER, hf:FOLDER, implicit:POLICY,REFERENCE[,BETA]).");
        }

        var kind = spec[..colon];
        var argument = spec[(colon + 1)..];
        switch (kind)
        {
            case "programmatic":
                return new ProgrammaticRewardScorer(ProgrammaticRewards.Get(argument));
            case "simulated":
                var (name, query) = Split(argument);
                if (name != "sorting")
                {
                    throw new FormatException($"Only the demo task has a simulated reward model ('simulated:sorting'), not '{name}'.");
                }

                var model = new SimulatedRewardModel(Number(query, "noise", 0.1), Number(query, "flip", 0), (ulong)Number(query, "seed", 0));
                return new ProgrammaticRewardScorer(new SimulatedSortingReward(model), $"noise={model.Noise:R};flip={model.FlipRate:R};seed={model.Seed}");
            case "onnx":
                return OnnxRewardModel.Load(argument, preferGpu: true, logger);
            case "hf":
                var (folder, options) = Split(argument);
                return HfRewardModel.Load(folder, options.TryGetValue("weights", out var weights) ? HeadWeights.Parse(weights) : null);
            case "implicit":
                var parts = argument.Split(',', StringSplitOptions.TrimEntries);
                if (parts.Length is < 2 or > 3)
                {
                    throw new FormatException($"'{spec}': implicit needs POLICY,REFERENCE[,BETA].");
                }

                var beta = parts.Length == 3 ? double.Parse(parts[2], CultureInfo.InvariantCulture) : 0.1;
                return new ImplicitRewardScorer(await policies.GetAsync(parts[0], cancellationToken).ConfigureAwait(false), await policies.GetAsync(parts[1], cancellationToken).ConfigureAwait(false), beta);
            default:
                throw new FormatException($"Unknown scorer kind '{kind}' in '{spec}'.");
        }
    }

    private static (string Name, Dictionary<string, string> Query) Split(string argument)
    {
        var question = argument.IndexOf('?', StringComparison.Ordinal);
        var name = question < 0 ? argument : argument[..question];
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (question >= 0)
        {
            foreach (var part in argument[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var pieces = part.Split('=', 2);
                query[pieces[0]] = pieces.Length == 2 ? pieces[1] : string.Empty;
            }
        }

        return (name, query);
    }

    private static double Number(Dictionary<string, string> query, string key, double fallback) =>
        query.TryGetValue(key, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}

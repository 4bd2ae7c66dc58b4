using PrefSuite.Contracts.V1;
using PrefSuite.Science.Augmentation;
using PrefSuite.Stages.Mapping;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Sampling;

/// <summary>
/// Goal conditioning at sampling (SCIENCE.md §4: at inference the goal is the best score): the prompts a policy trained on
/// reward-conditioned augmented pairs sees, in exactly augmentation's format
/// (<see cref="RewardConditionedAugmentation.ConditionOnBestScore"/>). Only the policy sees them; results keep the prompt
/// as given, so scorers judge the response to the instruction, not to the goal text.
/// </summary>
public static class GoalConditioningPrompts
{
    /// <summary>The names the CLI and run configs use: system (augment's default) or no-system (augment --no-system).</summary>
    public const string System = "system";
    public const string NoSystem = "no-system";

    /// <summary>Parses a CLI or config value; null or empty means none.</summary>
    public static GoalConditioning Parse(string? text) => text switch
    {
        null or "" or "none" => GoalConditioning.Unspecified,
        System => GoalConditioning.System,
        NoSystem => GoalConditioning.NoSystem,
        _ => throw new FormatException($"'{text}' is not a goal conditioning; use {System} (the goal as a system message) or {NoSystem} (prepended to the first user turn), as prefsuite augment wrote the training pairs."),
    };

    /// <summary>The prompts as the policy should see them under <paramref name="parameters"/>; the same list when unconditioned.</summary>
    public static IReadOnlyList<Prompt> Apply(IReadOnlyList<Prompt> prompts, SamplingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.GoalConditioning == GoalConditioning.Unspecified)
        {
            return prompts;
        }

        var useSystemPrompt = parameters.GoalConditioning switch
        {
            GoalConditioning.System => true,
            GoalConditioning.NoSystem => false,
            var other => throw new InvalidRequestException("sampling.goal_conditioning", $"unknown value {other}"),
        };
        var conditioned = new Prompt[prompts.Count];
        for (var i = 0; i < prompts.Count; i++)
        {
            var field = $"prompts[{i}]";
            try
            {
                conditioned[i] = PromptMapping.ToProto(prompts[i].PromptId, RewardConditionedAugmentation.ConditionOnBestScore(PromptMapping.ToText(prompts[i], field), useSystemPrompt));
            }
            catch (ArgumentException error)
            {
                throw new InvalidRequestException(field, error.Message);
            }
        }

        return conditioned;
    }
}

using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Sampling;

/// <summary>The sampling stage: validates requests and samples N responses per prompt.</summary>
public sealed class SamplingStage(IResponseSampler sampler)
{
    public const int MaxPromptsPerCall = 1024;
    public const int MaxSamplesPerPrompt = 1024;
    public const int DefaultMaxNewTokens = 10;

    public async Task<SampleResponse> SampleAsync(SampleRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = Validate(request.Prompts, request.Sampling);
        var (responses, version) = await sampler.SampleAsync(GoalConditioningPrompts.Apply(request.Prompts, parameters), parameters, request.Policy, cancellationToken).ConfigureAwait(false);
        var result = new SampleResponse { PolicyVersion = version };
        for (var p = 0; p < request.Prompts.Count; p++)
        {
            var sampled = new SampledPrompt { Prompt = request.Prompts[p] };
            sampled.Responses.Add(responses[p]);
            result.Prompts.Add(sampled);
        }

        return result;
    }

    /// <summary>The queue step: one prompt of a run becomes a unit with its N responses.</summary>
    public async Task<PromptUnit> SampleUnitAsync(SampleUnit unit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (string.IsNullOrEmpty(unit.RunId))
        {
            throw new InvalidRequestException("run_id", "is missing");
        }

        var prompts = new[] { unit.Prompt ?? throw new InvalidRequestException("prompt", "is missing") };
        var parameters = Validate(prompts, unit.Sampling);
        var (responses, _) = await sampler.SampleAsync(GoalConditioningPrompts.Apply(prompts, parameters), parameters, unit.Policy, cancellationToken).ConfigureAwait(false);
        var result = new PromptUnit { RunId = unit.RunId, Prompt = unit.Prompt };
        result.Responses.Add(responses[0]);
        return result;
    }

    /// <summary>
    /// The queue step for several units at once: units with the same policy and parameters are sampled together (one
    /// request batch for a server; each prompt in a batch of its own for a policy run here). Results come back in input order.
    /// </summary>
    public async Task<IReadOnlyList<PromptUnit>> SampleUnitsAsync(IReadOnlyList<SampleUnit> units, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(units);
        var results = new PromptUnit[units.Count];
        // A policy run here samples with batched matrix products whose last bits depend on the batch's shape, and one bit
        // can flip a sampled token: in a run, each prompt is a batch of its own (its N samples), so the same seeds give the
        // same responses whatever arrives together — on the stack, in process, after a crash. A server samples per request.
        var apart = sampler.SamplesEachPromptApart;
        foreach (var group in units.Select((u, i) => (Unit: u, Index: i)).GroupBy(x => (x.Unit.RunId, Policy: x.Unit.Policy?.Checkpoint ?? string.Empty, Sampling: x.Unit.Sampling?.ToString() ?? string.Empty, Apart: apart ? x.Index : 0)))
        {
            var members = group.ToArray();
            var prompts = members.Select(m => m.Unit.Prompt ?? throw new InvalidRequestException("prompt", "is missing")).ToArray();
            var parameters = Validate(prompts, members[0].Unit.Sampling);
            var (responses, _) = await sampler.SampleAsync(GoalConditioningPrompts.Apply(prompts, parameters), parameters, members[0].Unit.Policy, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < members.Length; i++)
            {
                var unit = new PromptUnit { RunId = members[i].Unit.RunId, Prompt = prompts[i] };
                unit.Responses.Add(responses[i]);
                results[members[i].Index] = unit;
            }
        }

        return results;
    }

    /// <summary>Checks a Sample call and fills defaults; errors name the field.</summary>
    public static SamplingParams Validate(IReadOnlyList<Prompt> prompts, SamplingParams? parameters) =>
        Validate(prompts, parameters, MaxPromptsPerCall, "per call (use SampleStream or the pipeline for more)");

    /// <summary>Checks prompts and sampling parameters with a limit on the prompts' count; errors name the field.</summary>
    public static SamplingParams Validate(IReadOnlyList<Prompt> prompts, SamplingParams? parameters, int maxPrompts, string limitScope)
    {
        ValidatePrompts(prompts, maxPrompts, limitScope);
        return ValidateParameters(parameters);
    }

    /// <summary>
    /// Checks prompts: their count against a limit, their ids (present, unique) and their content. They are read once,
    /// in order, so prompts streamed from a file are checked as they pass. Returns how many there were.
    /// </summary>
    public static int ValidatePrompts(IEnumerable<Prompt> prompts, int maxPrompts, string limitScope)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.TryGetNonEnumeratedCount(out var known) && known > maxPrompts)
        {
            throw new InvalidRequestException("prompts", $"has {known} prompts; at most {maxPrompts} {limitScope}");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var prompt in prompts)
        {
            if (i == maxPrompts)
            {
                throw new InvalidRequestException("prompts", $"has more than {maxPrompts} prompts; at most {maxPrompts} {limitScope}");
            }

            if (string.IsNullOrEmpty(prompt.PromptId))
            {
                throw new InvalidRequestException($"prompts[{i}].prompt_id", "is missing");
            }

            if (!ids.Add(prompt.PromptId))
            {
                throw new InvalidRequestException($"prompts[{i}].prompt_id", $"'{prompt.PromptId}' repeats an earlier prompt");
            }

            if (prompt.Text.Length == 0 && prompt.Messages.Count == 0)
            {
                throw new InvalidRequestException($"prompts[{i}]", "has neither text nor messages");
            }

            i++;
        }

        return i > 0 ? i : throw new InvalidRequestException("prompts", "is empty");
    }

    /// <summary>Checks sampling parameters (errors name the field) and returns a copy with the defaults filled.</summary>
    public static SamplingParams ValidateParameters(SamplingParams? parameters)
    {
        parameters = parameters?.Clone() ?? throw new InvalidRequestException("sampling", "is missing");
        if (parameters.N is < 1 or > MaxSamplesPerPrompt)
        {
            throw new InvalidRequestException("sampling.n", $"must lie in [1, {MaxSamplesPerPrompt}], got {parameters.N}");
        }

        if (!(parameters.Temperature >= 0 && parameters.Temperature <= 100))
        {
            throw new InvalidRequestException("sampling.temperature", $"must lie in [0, 100], got {parameters.Temperature}");
        }

        if (!(parameters.TopP >= 0 && parameters.TopP <= 1))
        {
            throw new InvalidRequestException("sampling.top_p", $"must lie in [0, 1], got {parameters.TopP}");
        }

        if (parameters.TopK < 0)
        {
            throw new InvalidRequestException("sampling.top_k", "must not be negative");
        }

        if (parameters.MaxNewTokens < 0 || parameters.MaxNewTokens > 65536)
        {
            throw new InvalidRequestException("sampling.max_new_tokens", $"must lie in [1, 65536], got {parameters.MaxNewTokens}");
        }

        if (!Enum.IsDefined(parameters.GoalConditioning))
        {
            throw new InvalidRequestException("sampling.goal_conditioning", $"unknown value {(int)parameters.GoalConditioning}");
        }

        if (parameters.MaxNewTokens == 0)
        {
            parameters.MaxNewTokens = DefaultMaxNewTokens;
        }

        return parameters;
    }
}

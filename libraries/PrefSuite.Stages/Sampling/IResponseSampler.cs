using PrefSuite.Contracts.V1;

namespace PrefSuite.Stages.Sampling;

/// <summary>Where responses come from: the built-in policy or an OpenAI-compatible completion server.</summary>
public interface IResponseSampler
{
    /// <summary>
    /// Whether each prompt must be sampled in a batch of its own: true for a policy run in this process, whose batched
    /// matrix products give last bits that depend on the batch's shape; a server samples per request.
    /// </summary>
    bool SamplesEachPromptApart => false;

    /// <summary>N responses for each prompt (already validated), in prompt order, and the policy version that sampled.</summary>
    Task<(IReadOnlyList<IReadOnlyList<Response>> Responses, string PolicyVersion)> SampleAsync(
        IReadOnlyList<Prompt> prompts, SamplingParams parameters, PolicyRef? policy, CancellationToken cancellationToken = default);
}

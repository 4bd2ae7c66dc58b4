using PrefSuite.Contracts.V1;
using PrefSuite.Models.Policy;
using PrefSuite.Stages.Mapping;
using PrefSuite.Stages.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Sampling;

/// <summary>Samples from a policy of the model store: the built-in GPT or a Hugging Face checkpoint.</summary>
public sealed class PolicySampler(PolicyStore policies, string defaultPolicy = "default") : IResponseSampler
{
    /// <inheritdoc/>
    public bool SamplesEachPromptApart => true;

    public async Task<(IReadOnlyList<IReadOnlyList<Response>> Responses, string PolicyVersion)> SampleAsync(
        IReadOnlyList<Prompt> prompts, SamplingParams parameters, PolicyRef? policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(parameters);
        var reference = string.IsNullOrEmpty(policy?.Checkpoint) ? defaultPolicy : policy.Checkpoint;
        PolicyModel model;
        try
        {
            model = await policies.GetAsync(reference, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyNotFoundException error)
        {
            throw new InvalidRequestException("policy.checkpoint", error.Message);
        }

        var options = new SamplingOptions
        {
            Temperature = parameters.Temperature,
            TopP = parameters.TopP == 0 ? 1 : parameters.TopP,
            TopK = parameters.TopK,
            MaxNewTokens = parameters.MaxNewTokens,
            StopSequences = parameters.Stop,
            Seed = parameters.Seed,
        };
        var texts = prompts.Select(p => PromptMapping.ToText(p)).ToArray();
        IReadOnlyList<SampledResponse> samples;
        try
        {
            samples = await Task.Run(() => Sampler.Sample(model, texts, prompts.Select(p => p.PromptId).ToArray(), parameters.N, options, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is ArgumentException or FormatException or ChatTemplates.ChatTemplateException)
        {
            throw new InvalidRequestException("prompts", error.Message);
        }

        var grouped = new List<Response>[prompts.Count];
        for (var p = 0; p < prompts.Count; p++)
        {
            grouped[p] = [];
        }

        foreach (var sample in samples)
        {
            var response = new Response
            {
                Text = sample.Text,
                SampleIndex = sample.SampleIndex,
                Logprob = sample.LogProb,
                FinishReason = sample.FinishReason,
            };
            response.TokenIds.Add(sample.TokenIds);
            response.TokenLogprobs.Add(sample.TokenLogProbs.Select(v => (float)v));
            grouped[sample.PromptIndex].Add(response);
        }

        return (grouped, model.Version);
    }
}

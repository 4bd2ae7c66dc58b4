using System.ComponentModel.DataAnnotations;

namespace PrefSuite.Workflow;

/// <summary>How the workflow runs runs (section "Pipeline"); validated at start, errors naming the key.</summary>
public sealed class WorkflowOptions : IValidatableObject
{
    public const string Section = "Pipeline";

    /// <summary>SFT steps of the default policy, trained when a run names no policy and the model store has none.</summary>
    [Range(1, 10_000_000)]
    public int DefaultPolicySftSteps { get; set; } = 1500;

    /// <summary>Sample units sent per ledger record while fanning a run out.</summary>
    [Range(1, 100_000)]
    public int DispatchChunk { get; set; } = 256;

    /// <summary>Prompts of one run sent but not yet finished, at most: queues stay short and a stall resends little.</summary>
    [Range(1, 10_000_000)]
    public int MaxPromptsInFlight { get; set; } = 20_000;

    /// <summary>A run that hears nothing for this long has stalled: its missing work is sent again.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Times a stalled step is sent again before the workflow gives up on it (its prompts fail, or the run does).</summary>
    [Range(0, 1000)]
    public int StallRetries { get; set; } = 2;

    /// <summary>
    /// Whether sampling reads the run's policy. When it does not (an OpenAI-compatible server samples) and the run trains
    /// nothing, a run without a policy neither resolves nor trains one.
    /// </summary>
    public bool SamplerNeedsPolicy { get; set; } = true;

    /// <summary>
    /// Fault injection for the chaos suite: the process kills itself (SIGKILL) after this many ledger writes that owe
    /// messages, between the write and the send. 0 (the default) never.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int CrashAfterSaves { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (StallTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{Section}:{nameof(StallTimeout)} must be positive, not {StallTimeout}.", [nameof(StallTimeout)]);
        }
    }
}

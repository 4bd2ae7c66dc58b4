using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Storage;

namespace PrefSuite.Workflow;

/// <summary>
/// A run's spec in the store, in two parts: its settings (<see cref="ArtifactPaths.RunSpec"/>, small, read by every
/// service) and its prompts (<see cref="ArtifactPaths.RunPrompts"/>, a million of them in a large run, read only by the
/// pipeline and reports). Both are serialized RunSpec messages, so the whole spec is the one merged with the other.
/// </summary>
public static class StoredRunSpec
{
    /// <summary>
    /// Writes the prompts first (a settings file is only ever there with its prompts), streamed prompt by prompt as
    /// the prompts field of a RunSpec, so a million prompts are never one more copy in memory.
    /// </summary>
    public static Task WriteAsync(IArtifactStore store, RunSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return WriteAsync(store, spec, spec.Prompts, cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="prompts"/> (read once, in order) as the run's prompts and then <paramref name="spec"/>'s
    /// settings: prompts made on the fly, such as a demo run's, are stored without being held.
    /// </summary>
    public static async Task WriteAsync(IArtifactStore store, RunSpec spec, IEnumerable<Prompt> prompts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(prompts);
        await store.WriteAsync(ArtifactPaths.RunPrompts(spec.RunId), (stream, ct) =>
        {
            using var output = new CodedOutputStream(stream, leaveOpen: true);
            foreach (var prompt in prompts)
            {
                ct.ThrowIfCancellationRequested();
                output.WriteTag(RunSpec.PromptsFieldNumber, WireFormat.WireType.LengthDelimited);
                output.WriteMessage(prompt);
            }

            output.Flush();
            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(ArtifactPaths.RunSpec(spec.RunId), SettingsOf(spec).ToByteArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A copy of the spec without its prompts, made without copying the prompts.</summary>
    public static RunSpec SettingsOf(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var prompts = spec.Prompts.ToArray();
        spec.Prompts.Clear();
        var settings = spec.Clone();
        spec.Prompts.Add(prompts);
        return settings;
    }

    /// <summary>Where the run's prompts are: their own file, or the settings file of a run stored before they had one.</summary>
    public static async Task<string> PromptsArtifactAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var prompts = ArtifactPaths.RunPrompts(runId);
        return await store.ExistsAsync(prompts, cancellationToken).ConfigureAwait(false) ? prompts : ArtifactPaths.RunSpec(runId);
    }

    /// <summary>
    /// The prompts of a stored RunSpec artifact one at a time, in order, without reading the file into memory: a
    /// million-prompt run's prompts are hundreds of megabytes as objects.
    /// </summary>
    public static async IAsyncEnumerable<Prompt> ReadPromptsAsync(IArtifactStore store, string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stream = await store.OpenReadAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidRequestException("prompts_artifact", $"'{path}' does not exist");
        await using (stream.ConfigureAwait(false))
        {
            using var input = new CodedInputStream(stream, leaveOpen: true);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (WireFormat.GetTagFieldNumber(tag) == RunSpec.PromptsFieldNumber && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                {
                    var prompt = new Prompt();
                    input.ReadMessage(prompt);
                    yield return prompt;
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
    }

    /// <summary>The settings without the prompts (null when the run was never accepted).</summary>
    public static async Task<RunSpec?> ReadSettingsAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await store.ReadAsync(ArtifactPaths.RunSpec(runId), cancellationToken).ConfigureAwait(false) is not { } bytes)
        {
            return null;
        }

        var spec = RunSpec.Parser.ParseFrom(bytes);
        spec.Prompts.Clear(); // a run stored before the prompts had their own file carries them here
        return spec;
    }

    /// <summary>The whole spec, prompts included (null when the run was never accepted).</summary>
    public static async Task<RunSpec?> ReadAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await store.ReadAsync(ArtifactPaths.RunSpec(runId), cancellationToken).ConfigureAwait(false) is not { } bytes)
        {
            return null;
        }

        var spec = RunSpec.Parser.ParseFrom(bytes);
        if (await store.ReadAsync(ArtifactPaths.RunPrompts(runId), cancellationToken).ConfigureAwait(false) is { } prompts)
        {
            spec.MergeFrom(prompts); // repeated fields append: the settings carry no prompts of their own
        }

        return spec;
    }
}

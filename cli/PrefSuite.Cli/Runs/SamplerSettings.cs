using PrefSuite.Models.Policy;
using PrefSuite.Stages.Sampling;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;

namespace PrefSuite.Cli.Runs;

/// <summary>The sampler a command samples with: a policy of the runs folder (built-in or Hugging Face), or an OpenAI-compatible server.</summary>
internal sealed class SamplerSettings : IDisposable
{
    private readonly HttpClient? _http;

    private SamplerSettings(IResponseSampler sampler, HttpClient? http)
    {
        Sampler = sampler;
        _http = http;
    }

    public IResponseSampler Sampler { get; }

    /// <summary>The sampler for validated options: the OpenAI backend with its own generation client, else a <see cref="PolicySampler"/>.</summary>
    public static SamplerSettings Create(SamplingBackendOptions options, PolicyStore policies)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsOpenAi)
        {
            return new SamplerSettings(new PolicySampler(policies, ResolvePolicy(options.DefaultPolicy)), null);
        }

        var http = GenerationHttp.CreateClient(options);
        return new SamplerSettings(new OpenAiCompatibleSampler(http, options), http);
    }

    /// <summary>
    /// A policy reference as the model store reads it: a relative path to a checkpoint folder (or any existing folder
    /// named with a path separator or a leading dot) becomes a full path; versions and aliases stay as they are.
    /// </summary>
    /// <summary>
    /// The model store of a command: checkpoint folders the user named (policies, references, the folders inside
    /// scorer specs such as implicit:A,B) are allowed by path; the services allow none unless their operator does.
    /// </summary>
    public static PolicyStore Policies(IArtifactStore store, params IEnumerable<string?>[] named)
    {
        ArgumentNullException.ThrowIfNull(named);
        var folders = named.SelectMany(n => n)
            .OfType<string>()
            .SelectMany(n => n.Contains(':', StringComparison.Ordinal) && !Path.IsPathRooted(n) ? n[(n.IndexOf(':', StringComparison.Ordinal) + 1)..].Split('?')[0].Split(',') : [n])
            .Select(ResolvePolicy)
            .Where(Path.IsPathRooted)
            .ToArray();
        return PolicyStore.ForCommandLine(store, folders);
    }

    public static string ResolvePolicy(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var looksLikePath = reference.Contains('/', StringComparison.Ordinal) || reference.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || reference.StartsWith('.');
        return !Path.IsPathRooted(reference) && Directory.Exists(reference) && (looksLikePath || PolicyModel.IsCheckpoint(reference))
            ? Path.GetFullPath(reference)
            : reference;
    }

    public void Dispose() => _http?.Dispose();
}

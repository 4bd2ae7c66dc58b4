using System.Security.Cryptography;
using Google.Protobuf;
using PrefSuite.Contracts.V1;

namespace PrefSuite.Workflow;

/// <summary>
/// What the pipeline keeps of a run's prompts, gathered as they stream past: their ids in order and a SHA-256 over
/// them all (each prompt's length and bytes), which tells a resubmission of the same run from another under its id.
/// </summary>
public sealed class PromptIndex : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _digest;

    public List<string> Ids { get; } = [];

    public static PromptIndex Of(IEnumerable<Prompt> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var index = new PromptIndex();
        foreach (var prompt in prompts)
        {
            index.Add(prompt);
        }

        return index;
    }

    public void Add(Prompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (_digest is not null)
        {
            throw new InvalidOperationException("The hash was already taken.");
        }

        Ids.Add(prompt.PromptId);
        var bytes = prompt.ToByteArray();
        _hash.AppendData(BitConverter.GetBytes(bytes.Length));
        _hash.AppendData(bytes);
    }

    /// <summary>The hex SHA-256 of every prompt added (no more may be added after).</summary>
    public string Hash() => _digest ??= Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();
}

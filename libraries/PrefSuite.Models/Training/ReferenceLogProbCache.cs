using System.Security.Cryptography;
using System.Text;
using PrefSuite.Models.Policy;

namespace PrefSuite.Models.Training;

/// <summary>
/// Reference log-probabilities of every (prompt, chosen) and (prompt, rejected), computed once per (dataset, reference
/// checkpoint) and cached by content hash: a second run on the same data and reference reads them instead.
/// </summary>
public static class ReferenceLogProbCache
{
    /// <summary>The cache key: SHA-256 over the reference's content hash and every pair's texts.</summary>
    public static string KeyFor(PolicyModel reference, IReadOnlyList<TrainingPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(pairs);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(reference.ContentHash ?? throw new InvalidOperationException("The reference policy must be a saved checkpoint: its content hash keys the cache.")));
        hash.AppendData(Encoding.UTF8.GetBytes(reference.Tokens.Identity));
        foreach (var pair in pairs)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"\u0000{TrainingPair.PromptKey(pair.Prompt)}\u0001{pair.Chosen}\u0002{pair.Rejected}"));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>(chosen, rejected) reference log-probs per pair; read from <paramref name="cacheFolder"/> when cached there.</summary>
    public static (double[] Chosen, double[] Rejected, bool FromCache) GetOrCompute(PolicyModel reference, IReadOnlyList<TrainingPair> pairs, string? cacheFolder)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var path = cacheFolder is null || reference.ContentHash is null ? null : Path.Combine(cacheFolder, $"reference-logprobs-{KeyFor(reference, pairs)}.bin");
        if (path is not null && File.Exists(path))
        {
            var cached = Read(path, pairs.Count);
            if (cached is not null)
            {
                return (cached.Value.Chosen, cached.Value.Rejected, true);
            }
        }

        var prompts = pairs.Select(p => p.Prompt).ToArray();
        var chosen = ResponseLogProbs.Compute(reference, prompts, pairs.Select(p => p.Chosen).ToArray());
        var rejected = ResponseLogProbs.Compute(reference, prompts, pairs.Select(p => p.Rejected).ToArray());
        if (path is not null)
        {
            Write(path, chosen, rejected);
        }

        return (chosen, rejected, false);
    }

    private static (double[] Chosen, double[] Rejected)? Read(string path, int count)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.BaseStream.Length != 4 + (16L * count) || reader.ReadInt32() != count)
        {
            return null; // stale or damaged: recompute
        }

        var chosen = new double[count];
        var rejected = new double[count];
        for (var i = 0; i < count; i++)
        {
            chosen[i] = reader.ReadDouble();
            rejected[i] = reader.ReadDouble();
        }

        return (chosen, rejected);
    }

    private static void Write(string path, double[] chosen, double[] rejected)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(chosen.Length);
            for (var i = 0; i < chosen.Length; i++)
            {
                writer.Write(chosen[i]);
                writer.Write(rejected[i]);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }
}

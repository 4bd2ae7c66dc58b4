using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// prefsuite-policy.json, written beside the weights of every Hugging Face checkpoint PrefSuite saves: the content hash
/// of the weight files (SHA-256 over their SHA-256s), the checkpoint it was trained from and what produced it.
/// Folders PrefSuite did not write have no manifest; their content hash is a fingerprint (see <see cref="Fingerprint"/>).
/// </summary>
public sealed record HfPolicyManifest(string Format, string WeightsSha256, string? Parent, string Stage, string DType, DateTimeOffset Created)
{
    public const string FileName = "prefsuite-policy.json";
    public const string CurrentFormat = "prefsuite-hf-policy/1";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static HfPolicyManifest? TryRead(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var manifest = JsonSerializer.Deserialize<HfPolicyManifest>(File.ReadAllText(path), Json);
        return manifest?.Format == CurrentFormat ? manifest : null;
    }

    public void Write(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));

    /// <summary>SHA-256 over the SHA-256 of each file, in the order given.</summary>
    public static string HashFiles(IEnumerable<string> files)
    {
        using var combined = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            combined.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + ":"));
            combined.AppendData(SHA256.HashData(stream));
        }

        return Convert.ToHexStringLower(combined.GetHashAndReset());
    }

    /// <summary>
    /// A content fingerprint of a folder PrefSuite did not write, cheap enough for 8B checkpoints: SHA-256 over
    /// config.json, the tokenizer files, and for each weight file its name, size, safetensors header and 16 samples of
    /// 64 KiB spread evenly through its data.
    /// </summary>
    public static string Fingerprint(HfCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in new[] { HfCheckpoint.ConfigFile, HfCheckpoint.TokenizerFile, "tokenizer_config.json", HfCheckpoint.GenerationConfigFile })
        {
            var path = Path.Combine(checkpoint.Folder, name);
            if (File.Exists(path))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(name + ":"));
                hash.AppendData(File.ReadAllBytes(path));
            }
        }

        var buffer = new byte[1 << 16];
        foreach (var file in checkpoint.WeightFiles)
        {
            using var stream = File.OpenRead(file);
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFileName(file)}:{stream.Length}:"));
            var headerLength = new byte[8];
            stream.ReadExactly(headerLength);
            var header = new byte[Math.Min(BitConverter.ToInt64(headerLength), stream.Length - 8)];
            stream.ReadExactly(header);
            hash.AppendData(header);
            var dataStart = 8 + header.Length;
            var dataLength = stream.Length - dataStart;
            for (var i = 0; i < 16 && dataLength > 0; i++)
            {
                stream.Position = dataStart + (dataLength * i / 16);
                var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, stream.Length - stream.Position));
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

using System.Security.Cryptography;
using System.Text;

namespace PrefSuite.Stages.Caching;

/// <summary>Content-hash keys: "prefsuite:rv:" + SHA-256(scorer id, version, prompt, response, truncated).</summary>
public static class RewardCacheKeys
{
    public static string For(string scorerId, string scorerVersion, string prompt, string response, bool truncated)
    {
        var text = $"{scorerId}\u0000{scorerVersion}\u0000{prompt}\u0000{response}\u0000{(truncated ? 1 : 0)}";
        return "prefsuite:rv:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Stages.Caching;

/// <summary>
/// Content-hash keys: "prefsuite:rv:" + SHA-256(scorer id, version, prompt, response, truncated); a conversation's
/// messages join the hash, so a conversation never shares a key with a text prompt that flattens to the same string.
/// </summary>
public static class RewardCacheKeys
{
    public static string For(string scorerId, string scorerVersion, string prompt, IReadOnlyList<ChatMessage>? messages, string response, bool truncated)
    {
        var text = $"{scorerId}\u0000{scorerVersion}\u0000{prompt}\u0000{response}\u0000{(truncated ? 1 : 0)}";
        if (messages is not null)
        {
            text += "\u0000" + JsonSerializer.Serialize(messages.Select(m => new[] { m.Role, m.Content }));
        }

        return "prefsuite:rv:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

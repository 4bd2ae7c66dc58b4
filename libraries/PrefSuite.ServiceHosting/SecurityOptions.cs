namespace PrefSuite.ServiceHosting;

/// <summary>API-key authentication of gRPC and HTTP endpoints, and where a service listens (section "Security").</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>The key callers send as "x-api-key: KEY" or "authorization: Bearer KEY"; empty turns checking off (loopback only).</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>Refuse to start without a key (set by the AppHost in publish mode).</summary>
    public bool RequireApiKey { get; set; }

    /// <summary>
    /// "loopback" (default: only this machine can call) or "any" (every interface, as in a container). Listening
    /// beyond loopback needs an API key: a service refuses to start without one.
    /// </summary>
    public string Listen { get; set; } = "loopback";

    public bool ListensOnLoopback => string.Equals(Listen, "loopback", StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong with these settings, each naming its key.</summary>
    public IEnumerable<string> Problems()
    {
        if (!ListensOnLoopback && !string.Equals(Listen, "any", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"Security:Listen is '{Listen}'; use loopback or any.";
        }
        else if (!ListensOnLoopback && ApiKey.Length < 16)
        {
            yield return "Security:Listen is 'any' (every interface): configure Security:ApiKey (at least 16 characters), or listen on loopback.";
        }

        if (RequireApiKey && ApiKey.Length < 16)
        {
            yield return "Security:RequireApiKey is set: configure Security:ApiKey (at least 16 characters).";
        }
    }
}

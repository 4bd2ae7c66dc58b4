namespace PrefSuite.ServiceHosting;

/// <summary>API-key authentication of gRPC and HTTP endpoints (section "Security").</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>The key callers send as "x-api-key: KEY" or "authorization: Bearer KEY"; empty turns checking off.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>Refuse to start without a key (set by the AppHost in publish mode).</summary>
    public bool RequireApiKey { get; set; }
}

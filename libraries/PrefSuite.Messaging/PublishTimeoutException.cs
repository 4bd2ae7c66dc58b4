using System.Globalization;

namespace PrefSuite.Messaging;

/// <summary>
/// The broker did not confirm a publish within <see cref="MessagingOptions.PublishTimeout"/>: a failure of the
/// environment (a <see cref="TimeoutException"/>, so transports retry it without spending a unit's failure budget).
/// </summary>
public sealed class PublishTimeoutException : TimeoutException
{
    public PublishTimeoutException(int messages, TimeSpan timeout, string? blockedBy)
        : base(MessageFor(messages, timeout, blockedBy)) => BlockedBy = blockedBy;

    /// <summary>The broker's reason for blocking the connection at the time ("low on disk"), or null.</summary>
    public string? BlockedBy { get; }

    private static string MessageFor(int messages, TimeSpan timeout, string? blockedBy)
    {
        var what = string.Create(CultureInfo.InvariantCulture, $"RabbitMQ did not confirm {messages} message{(messages == 1 ? string.Empty : "s")} within {timeout.TotalSeconds:0.#} s (Messaging:PublishTimeout)");
        return blockedBy is null
            ? what + "."
            : $"{what}: the broker blocks this connection's publishes ({blockedBy}), and lets them through once it has room again; free disk space or memory on the broker (its log names the alarm).";
    }
}

using System.Globalization;

namespace PrefSuite.Messaging;

/// <summary>
/// The broker did not confirm a publish within <see cref="MessagingOptions.PublishTimeout"/>, or did not answer the
/// client on the way (opening a channel, declaring a queue): a failure of the
/// environment (a <see cref="TimeoutException"/>, so transports retry it without spending a unit's failure budget).
/// </summary>
public sealed class PublishTimeoutException : TimeoutException
{
    public PublishTimeoutException(int messages, TimeSpan waited, TimeSpan timeout, string? blockedBy)
        : base(MessageFor(messages, waited, timeout, blockedBy)) => BlockedBy = blockedBy;

    /// <summary>The broker's reason for blocking the connection at the time ("low on disk"), or null.</summary>
    public string? BlockedBy { get; }

    private static string MessageFor(int messages, TimeSpan waited, TimeSpan timeout, string? blockedBy)
    {
        var what = string.Create(CultureInfo.InvariantCulture, $"RabbitMQ did not take {messages} message{(messages == 1 ? string.Empty : "s")} in {waited.TotalSeconds:0} s (Messaging:PublishTimeout is {timeout.TotalSeconds:0.#} s)");
        return blockedBy is null
            ? what + "."
            : $"{what}: the broker blocks this connection's publishes ({blockedBy}), and lets them through once it has room again; free disk space or memory on the broker (its log names the alarm).";
    }
}

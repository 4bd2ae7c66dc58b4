using System.ComponentModel.DataAnnotations;

namespace PrefSuite.Messaging;

/// <summary>RabbitMQ settings (section "Messaging"); the connection string comes from ConnectionStrings:rabbitmq.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>amqp://user:password@host:port/vhost.</summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// Handler failures one message may cause before it goes to its dead-letter queue. Deliveries that a crash returned
    /// unacked do not count: a failure is counted by the consumer that saw the handler fail.
    /// </summary>
    [Range(1, 100)]
    public int FailureBudget { get; set; } = 3;

    /// <summary>
    /// The broker's own limit on deliveries (x-delivery-limit), a backstop for a message that kills its consumer at every
    /// delivery, so no handler ever sees it fail. Well above what crashes of healthy work reach.
    /// </summary>
    [Range(1, 1000)]
    public int DeliveryLimit { get; set; } = 20;

    /// <summary>
    /// Retries after failures of the environment (a full disk, a broker or store away), backing off from 0.5 s to 30 s,
    /// before such a failure spends the budget: 60 cover about half an hour of outage.
    /// </summary>
    [Range(0, 10_000)]
    public int TransientRetries { get; set; } = 60;

    /// <summary>Unacknowledged messages per consumer; stages override it (training takes one at a time).</summary>
    [Range(1, 10_000)]
    public ushort Prefetch { get; set; } = 8;

    /// <summary>
    /// The longest a publish waits for the broker's confirms before it fails (as a failure of the environment, so it is
    /// retried). A broker out of disk or memory blocks every publisher until it has room again: without a limit a
    /// publish would wait for that silently.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Messaging:PublishTimeout must lie between 1 second and 1 day.")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

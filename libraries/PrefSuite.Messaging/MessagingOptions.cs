using System.ComponentModel.DataAnnotations;

namespace PrefSuite.Messaging;

/// <summary>RabbitMQ settings (section "Messaging"); the connection string comes from ConnectionStrings:rabbitmq.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>amqp://user:password@host:port/vhost.</summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Deliveries of one message before it goes to its dead-letter queue.</summary>
    [Range(1, 100)]
    public int DeliveryLimit { get; set; } = 3;

    /// <summary>Unacknowledged messages per consumer; stages override it (training takes one at a time).</summary>
    [Range(1, 10_000)]
    public ushort Prefetch { get; set; } = 8;
}

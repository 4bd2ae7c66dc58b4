using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrefSuite.Messaging;

namespace PrefSuite.Integration.Tests.Infrastructure;

internal static class Messaging
{
    public static RabbitMqConnection Connection(string uri, int failureBudget = 3, TimeSpan? publishTimeout = null, ILogger<RabbitMqConnection>? log = null) =>
        new(
            Options.Create(new MessagingOptions { ConnectionString = uri, FailureBudget = failureBudget, PublishTimeout = publishTimeout ?? new MessagingOptions().PublishTimeout }),
            log ?? NullLogger<RabbitMqConnection>.Instance);

    public static QueueConsumer Consumer(string queue, IQueueHandler handler, RabbitMqConnection connection, ushort prefetch = 4) =>
        new(queue, prefetch, 1, handler, connection, NullLogger<QueueConsumer>.Instance);

    public static ILogger<T> Log<T>() => NullLogger<T>.Instance;

    /// <summary>Polls until the condition holds or the time is up.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }
}

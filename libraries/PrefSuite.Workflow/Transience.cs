namespace PrefSuite.Workflow;

/// <summary>
/// Tells failures of the environment (a full disk, a broker or store that is away for a while) from failures of the
/// work itself. Transports retry the first kind with backoff without spending the unit's failure budget, so an outage
/// does not dead-letter healthy units; the second kind spends it.
/// </summary>
public static class Transience
{
    public static bool IsTransient(Exception error) => error switch
    {
        null => false,
        InvalidRequestException or OperationCanceledException or FileNotFoundException or DirectoryNotFoundException => false,
        IOException or TimeoutException or System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient),
        _ when error.GetType().FullName is { } name && (name.StartsWith("RabbitMQ.Client.", StringComparison.Ordinal) || name.StartsWith("StackExchange.Redis.", StringComparison.Ordinal)) => true,
        _ when error.GetType().FullName == "Azure.RequestFailedException" => !error.Message.Contains("Status: 4", StringComparison.Ordinal),
        _ => error.InnerException is { } inner && IsTransient(inner),
    };

    /// <summary>The wait before the <paramref name="retries"/>-th retry of a transient failure: 0.5 s doubling to 30 s.</summary>
    public static TimeSpan Backoff(int retries) => TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, Math.Min(retries, 10))));
}

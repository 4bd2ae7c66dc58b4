using Google.Protobuf;

namespace PrefSuite.Stages.Runs;

/// <summary>
/// Publishes a message to a stage's queue with confirms; the unit id is the deterministic id
/// (run/prompt/stage) that makes redelivered work recognisable downstream. Implemented over RabbitMQ by the hosts.
/// </summary>
public interface IStageBus
{
    Task PublishAsync(string queue, IMessage message, string unitId, CancellationToken cancellationToken = default);

    /// <summary>Publishes several messages, confirmed together (all are published and confirmed when the task ends).</summary>
    async Task PublishManyAsync(IReadOnlyList<(string Queue, IMessage Message, string UnitId)> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var (queue, message, unitId) in messages)
        {
            await PublishAsync(queue, message, unitId, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The queues of DESIGN.md, one per stage, plus the events queue the pipeline service consumes.</summary>
public static class Queues
{
    public const string Sample = "prefsuite.sample";
    public const string Score = "prefsuite.score";
    public const string Denoise = "prefsuite.denoise";
    public const string Select = "prefsuite.select";
    public const string Train = "prefsuite.train";
    public const string Events = "prefsuite.events";

    public static IReadOnlyList<string> Stages { get; } = [Sample, Score, Denoise, Select, Train];

    /// <summary>"prefsuite.score" → "score".</summary>
    public static string StageOf(string queue) => queue["prefsuite.".Length..];

    /// <summary>The deterministic unit id of one prompt at one stage of a run.</summary>
    public static string UnitId(string runId, string promptId, string stage) => $"{runId}/{promptId}/{stage}";
}

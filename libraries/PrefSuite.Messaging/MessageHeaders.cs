namespace PrefSuite.Messaging;

/// <summary>Header names carried by every message: the protobuf type and schema version, never a CLR type name.</summary>
public static class MessageHeaders
{
    public const string Type = "prefsuite-type";
    public const string Schema = "prefsuite-schema";
    public const string SchemaVersion = "v1";
    public const string UnitId = "prefsuite-unit-id";

    /// <summary>Handler failures a message has caused so far (its failure budget spent); absent means none.</summary>
    public const string Failures = "prefsuite-failures";

    /// <summary>Retries after failures of the environment (a full disk, an unreachable store), which spend no budget.</summary>
    public const string Transient = "prefsuite-transient";
    /// <summary>On a message its handler gave up: the reason, for the run's dead letters.</summary>
    public const string Error = "prefsuite-error";
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string DeliveryCount = "x-delivery-count";
    public const string DeadLetterExchange = "prefsuite.dlx";

    public static string DeadLetterQueue(string queue) => queue + ".dead";
}

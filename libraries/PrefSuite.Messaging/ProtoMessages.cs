using Google.Protobuf;
using Google.Protobuf.Reflection;
using PrefSuite.Contracts.V1;

namespace PrefSuite.Messaging;

/// <summary>Reads a delivered body as the protobuf message its type header names.</summary>
public static class ProtoMessages
{
    /// <summary>Every message type of the public protos, by full name: what a queue may carry.</summary>
    private static readonly TypeRegistry Types = TypeRegistry.FromFiles(
        CommonReflection.Descriptor, SamplingReflection.Descriptor, RewardScoringReflection.Descriptor, DenoisingReflection.Descriptor,
        SelectionReflection.Descriptor, TrainingReflection.Descriptor, PipelineReflection.Descriptor);

    /// <summary>The body as the protobuf message its type header names; an unknown type or unreadable body is permanent.</summary>
    public static IMessage Parse(QueueMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.SchemaVersion != MessageHeaders.SchemaVersion)
        {
            throw new PermanentMessageException($"{message.Queue} got schema '{message.SchemaVersion}'; it reads '{MessageHeaders.SchemaVersion}'.");
        }

        var descriptor = Types.Find(message.TypeName) ?? throw new PermanentMessageException($"{message.Queue}: unit {message.UnitId} has the unknown type '{message.TypeName}'.");
        try
        {
            return descriptor.Parser.ParseFrom(message.Body.Span);
        }
        catch (InvalidProtocolBufferException error)
        {
            throw new PermanentMessageException($"{message.Queue}: unit {message.UnitId} is not a readable {message.TypeName}: {error.Message}", error);
        }
    }

    public static bool Is<T>(QueueMessage message)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.TypeName == new T().Descriptor.FullName;
    }

    public static T Parse<T>(QueueMessage message)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(message);
        var expected = new T().Descriptor.FullName;
        if (message.TypeName != expected)
        {
            throw new PermanentMessageException($"{message.Queue} got a '{message.TypeName}' message; it takes '{expected}'.");
        }

        if (message.SchemaVersion != MessageHeaders.SchemaVersion)
        {
            throw new PermanentMessageException($"{message.Queue} got schema '{message.SchemaVersion}'; it reads '{MessageHeaders.SchemaVersion}'.");
        }

        try
        {
            var parser = new MessageParser<T>(() => new T());
            return parser.ParseFrom(message.Body.Span);
        }
        catch (InvalidProtocolBufferException error)
        {
            throw new PermanentMessageException($"{message.Queue}: unit {message.UnitId} is not a readable {expected}: {error.Message}", error);
        }
    }
}

using Google.Protobuf;

namespace PrefSuite.Messaging;

/// <summary>Reads a delivered body as the protobuf message its type header names.</summary>
public static class ProtoMessages
{
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

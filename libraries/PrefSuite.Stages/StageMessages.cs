using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Workflow;

namespace PrefSuite.Stages;

/// <summary>What the stage handlers share: reading a delivered message as the type a topic carries, and addressing a unit to its next stage.</summary>
public static class StageMessages
{
    /// <summary>The message as <typeparamref name="T"/>; another type is an invalid message (given up at once).</summary>
    public static T As<T>(Delivered message)
        where T : class, IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Message as T
            ?? throw new InvalidRequestException("type", $"got a '{message.Message.Descriptor.FullName}' message; this stage takes '{new T().Descriptor.FullName}'");
    }

    /// <summary>A prompt's unit on its way to <paramref name="stage"/>, under its deterministic id.</summary>
    public static Envelope Unit(PromptUnit unit, Stage stage)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return new Envelope(stage.TopicOf(), unit, new UnitId(unit.RunId, unit.Prompt.PromptId, stage).ToString());
    }
}

namespace PrefSuite.Science.Augmentation;

/// <summary>A prompt as TRL writes it: a plain string or a list of messages.</summary>
public sealed record PromptText
{
    private PromptText(string? text, IReadOnlyList<ChatMessage>? messages)
    {
        Text = text;
        Messages = messages;
    }

    public string? Text { get; }

    public IReadOnlyList<ChatMessage>? Messages { get; }

    public bool IsConversational => Messages is not null;

    public static PromptText FromText(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), null);

    public static PromptText FromMessages(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages.Count > 0 ? new PromptText(null, messages) : throw new ArgumentException("A conversational prompt needs at least one message.", nameof(messages));
    }

    /// <summary>The prompt as one string: the text itself, or the last user turn of a conversation.</summary>
    public string Flatten() => Text ?? Messages!.LastOrDefault(m => m.Role == "user")?.Content ?? Messages![^1].Content;
}

namespace PrefSuite.Science.Augmentation;

/// <summary>One turn of a conversation: role ("system", "user", "assistant") and text.</summary>
public sealed record ChatMessage(string Role, string Content);

using PrefSuite.Contracts.V1;
using PrefSuite.Science.Augmentation;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Mapping;

/// <summary>Prompts between the protos and the science library, and the flat text the built-in policy reads.</summary>
public static class PromptMapping
{
    public static PromptText ToText(Prompt prompt, string field = "prompt")
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.Messages.Count > 0 && prompt.Text.Length > 0)
        {
            throw new InvalidRequestException(field, "set text or messages, not both");
        }

        if (prompt.Messages.Count > 0)
        {
            if (prompt.Messages.FirstOrDefault(m => string.IsNullOrEmpty(m.Role)) is not null)
            {
                throw new InvalidRequestException($"{field}.messages", "every message needs a role");
            }

            return PromptText.FromMessages(prompt.Messages.Select(m => new Science.Augmentation.ChatMessage(m.Role, m.Content)).ToArray());
        }

        return PromptText.FromText(prompt.Text);
    }

    public static Prompt ToProto(string promptId, PromptText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var prompt = new Prompt { PromptId = promptId };
        if (text.Text is { } plain)
        {
            prompt.Text = plain;
        }
        else
        {
            prompt.Messages.Add(text.Messages!.Select(m => new Contracts.V1.ChatMessage { Role = m.Role, Content = m.Content }));
        }

        return prompt;
    }

    /// <summary>
    /// The text the built-in policy and text scorers read: the plain prompt, or the conversation rendered as
    /// "role: content" lines (the built-in model has no chat template of its own).
    /// </summary>
    public static string Flatten(Prompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return prompt.Messages.Count == 0
            ? prompt.Text
            : string.Join("\n", prompt.Messages.Select(m => $"{m.Role}: {m.Content}"));
    }
}

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>A string marked safe (<c>|safe</c>): prints as itself, but <c>markup + text</c> HTML-escapes the text.</summary>
internal sealed record Markup(string Value);

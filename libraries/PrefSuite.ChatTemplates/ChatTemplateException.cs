namespace PrefSuite.ChatTemplates;

/// <summary>A chat template that cannot be parsed or rendered; names the template, the line and the construct.</summary>
public sealed class ChatTemplateException : Exception
{
    public ChatTemplateException()
        : this("chat template error")
    {
    }

    public ChatTemplateException(string message)
        : this(message, innerException: null)
    {
    }

    public ChatTemplateException(string message, Exception? innerException)
        : base(message, innerException)
    {
        TemplateName = "";
        Construct = "";
    }

    public ChatTemplateException(string templateName, int? line, string construct, string detail, Exception? innerException = null)
        : base(Describe(templateName, line, construct, detail), innerException)
    {
        TemplateName = templateName;
        Line = line;
        Construct = construct;
        Detail = detail;
    }

    /// <summary>The name given to <see cref="ChatTemplate.Parse"/>.</summary>
    public string TemplateName { get; }

    /// <summary>The 1-based line of the template source, when known.</summary>
    public int? Line { get; }

    /// <summary>The construct that failed, such as <c>{% include %}</c>, <c>filter 'foo'</c> or <c>raise_exception</c>.</summary>
    public string Construct { get; }

    /// <summary>What went wrong; for <c>raise_exception</c>, the template's own message.</summary>
    public string Detail { get; } = "";

    private static string Describe(string templateName, int? line, string construct, string detail) =>
        line is null
            ? $"Chat template '{templateName}': {construct}: {detail}"
            : $"Chat template '{templateName}', line {line}: {construct}: {detail}";
}

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>An error raised while rendering, before the statement that caught it adds the template name and line.</summary>
/// <remarks><see cref="Kind"/> is the exception Jinja2 (or Python under it) raises in the same place: TypeError,
/// UndefinedError, TemplateError (raise_exception), ...; "Unsupported" marks Python behaviour this renderer refuses.</remarks>
internal sealed class TemplateRuntimeError : Exception
{
    public TemplateRuntimeError()
        : this("Error", "template error")
    {
    }

    public TemplateRuntimeError(string message)
        : this("Error", message)
    {
    }

    public TemplateRuntimeError(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = "Error";
    }

    public TemplateRuntimeError(string kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public string Kind { get; }

    public static TemplateRuntimeError Type(string message) => new("TypeError", message);

    public static TemplateRuntimeError Value(string message) => new("ValueError", message);

    public static TemplateRuntimeError Unsupported(string message) => new("Unsupported", message);
}

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Jinja2's <c>self</c>: a template's blocks by name. Blocks are refused, so every lookup is undefined.</summary>
internal sealed class TemplateReference
{
    public static readonly TemplateReference Instance = new();

    private TemplateReference()
    {
    }

    public override string ToString() => "<TemplateReference None>";
}

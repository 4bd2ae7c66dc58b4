namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Jinja2's namespace(): the one object a template may change, through <c>{% set ns.x = ... %}</c>.</summary>
internal sealed class Namespace
{
    public OrderedDictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

using PrefSuite.ChatTemplates.Runtime;

namespace PrefSuite.ChatTemplates.Syntax;

/// <summary>The left side of <c>{% set %}</c>, a for loop's variables, a with block's names.</summary>
internal abstract class Target
{
    public abstract void Assign(Scope scope, object? value);
}

/// <summary>One name.</summary>
internal sealed class NameTarget(string name) : Target
{
    public string Name { get; } = name;

    public override void Assign(Scope scope, object? value) => scope.Set(Name, value);
}

/// <summary><c>a, b</c>: unpacks any iterable of exactly that many items.</summary>
internal sealed class TupleTarget(IReadOnlyList<Target> items) : Target
{
    public override void Assign(Scope scope, object? value)
    {
        var values = Py.Iterate(value);
        if (values.Count > items.Count)
        {
            throw TemplateRuntimeError.Value($"too many values to unpack (expected {items.Count})");
        }

        if (values.Count < items.Count)
        {
            throw TemplateRuntimeError.Value($"not enough values to unpack (expected {items.Count}, got {values.Count})");
        }

        for (var i = 0; i < items.Count; i++)
        {
            items[i].Assign(scope, values[i]);
        }
    }
}

/// <summary><c>ns.attribute</c>: only a namespace() accepts it.</summary>
internal sealed class NamespaceTarget(string name, string attribute) : Target
{
    public override void Assign(Scope scope, object? value)
    {
        if (scope.Get(name) is not Namespace ns)
        {
            throw new TemplateRuntimeError("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
        }

        ns.Attributes[attribute] = value;
    }
}

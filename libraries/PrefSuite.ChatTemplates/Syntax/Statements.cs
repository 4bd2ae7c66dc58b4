using System.Text;
using PrefSuite.ChatTemplates.Runtime;

namespace PrefSuite.ChatTemplates.Syntax;

/// <summary><c>{% if %}{% elif %}{% else %}{% endif %}</c>; no scope of its own.</summary>
internal sealed class IfStmt(IReadOnlyList<KeyValuePair<Expr, IReadOnlyList<Stmt>>> branches, IReadOnlyList<Stmt> otherwise, int line) : Stmt(line)
{
    public override string Construct => "{% if %}";

    public override Flow Execute(Scope scope, StringBuilder output)
    {
        foreach (var (test, body) in branches)
        {
            if (Py.Truthy(test.Evaluate(scope)))
            {
                return Run(body, scope, output);
            }
        }

        return Run(otherwise, scope, output);
    }
}

/// <summary><c>{% set target = value %}</c>.</summary>
internal sealed class SetStmt(Target target, Expr value, int line) : Stmt(line)
{
    public override string Construct => "{% set %}";

    public override Flow Execute(Scope scope, StringBuilder output)
    {
        target.Assign(scope, value.Evaluate(scope));
        return Flow.Normal;
    }
}

/// <summary><c>{% set target | filters %}body{% endset %}</c>: the rendered body, filtered, as a string.</summary>
internal sealed class SetBlockStmt(Target target, IReadOnlyList<FilterCall> filters, IReadOnlyList<Stmt> body, int line) : Stmt(line)
{
    public override string Construct => "{% set %}";

    public override Flow Execute(Scope scope, StringBuilder output)
    {
        var buffer = new StringBuilder();
        var flow = Run(body, scope.Child(), buffer);
        if (flow != Flow.Normal)
        {
            // Jinja2 renders the body inline: a break or continue in it leaves the loop and nothing is assigned.
            return flow;
        }

        object? value = buffer.ToString();
        foreach (var filter in filters)
        {
            value = filter.Apply(value, scope);
        }

        target.Assign(scope, value);
        return Flow.Normal;
    }
}

/// <summary><c>{% filter name %}body{% endfilter %}</c>.</summary>
internal sealed class FilterBlockStmt(IReadOnlyList<FilterCall> filters, IReadOnlyList<Stmt> body, int line) : Stmt(line)
{
    public override string Construct => "{% filter %}";

    public override Flow Execute(Scope scope, StringBuilder output)
    {
        var buffer = new StringBuilder();
        var flow = Run(body, scope.Child(), buffer);
        if (flow != Flow.Normal)
        {
            return flow;
        }

        object? value = buffer.ToString();
        foreach (var filter in filters)
        {
            value = filter.Apply(value, scope);
        }

        output.Append(Py.Str(value));
        return Flow.Normal;
    }
}

/// <summary><c>{% with a = 1 %}body{% endwith %}</c>: names that live only inside the body.</summary>
internal sealed class WithStmt(IReadOnlyList<KeyValuePair<Target, Expr>> bindings, IReadOnlyList<Stmt> body, int line) : Stmt(line)
{
    public override string Construct => "{% with %}";

    public override Flow Execute(Scope scope, StringBuilder output)
    {
        var values = bindings.Select(binding => binding.Value.Evaluate(scope)).ToList();
        var inner = scope.Child();
        for (var i = 0; i < bindings.Count; i++)
        {
            bindings[i].Key.Assign(inner, values[i]);
        }

        return Run(body, inner, output);
    }
}

/// <summary><c>{% break %}</c> or <c>{% continue %}</c> (jinja2.ext.loopcontrols).</summary>
internal sealed class LoopControlStmt(Flow flow, int line) : Stmt(line)
{
    public override string Construct => flow == Flow.Break ? "{% break %}" : "{% continue %}";

    public override Flow Execute(Scope scope, StringBuilder output) => flow;
}

/// <summary><c>{% generation %}body{% endgeneration %}</c> (transformers' AssistantTracker): renders the body, which runs
/// as a caller block of its own, so its assignments stay inside.</summary>
internal sealed class GenerationStmt(IReadOnlyList<Stmt> body, int line) : Stmt(line)
{
    public override string Construct => "{% generation %}";

    public override Flow Execute(Scope scope, StringBuilder output)
    {
        output.Append(Capture(body, scope.Child()));
        return Flow.Normal;
    }
}

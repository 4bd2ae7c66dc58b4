using PrefSuite.ChatTemplates.Runtime;

namespace PrefSuite.ChatTemplates.Syntax;

/// <summary>An expression of the template language; evaluates to a runtime value.</summary>
internal abstract class Expr
{
    protected Expr(int line)
    {
        Line = line;
    }

    public int Line { get; }

    public abstract object? Evaluate(Scope scope);
}

/// <summary>A literal: string, number, true/false/none.</summary>
internal sealed class ConstExpr(object? value, int line) : Expr(line)
{
    public object? Value { get; } = value;

    public override object? Evaluate(Scope scope) => Value;
}

/// <summary>A variable reference.</summary>
internal sealed class NameExpr(string name, int line) : Expr(line)
{
    public string Name { get; } = name;

    public override object? Evaluate(Scope scope) => scope.Get(Name);
}

/// <summary><c>target.name</c>: attribute first, then item (Jinja2's environment.getattr).</summary>
internal sealed class GetAttrExpr(Expr target, string name, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope) => Attributes.GetAttr(target.Evaluate(scope), name);
}

/// <summary><c>target[key]</c>: item first, then attribute for string keys (Jinja2's environment.getitem).</summary>
internal sealed class GetItemExpr(Expr target, Expr key, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope) => Attributes.GetItem(target.Evaluate(scope), key.Evaluate(scope));
}

/// <summary><c>start:stop:step</c> inside brackets.</summary>
internal sealed class SliceExpr(Expr? start, Expr? stop, Expr? step, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope) =>
        new PySlice(start?.Evaluate(scope), stop?.Evaluate(scope), step?.Evaluate(scope));
}

/// <summary><c>callee(args, name=value)</c>.</summary>
internal sealed class CallExpr(Expr callee, IReadOnlyList<Expr> args, IReadOnlyList<KeyValuePair<string, Expr>> keywords, int line) : Expr(line)
{
    public Expr Callee { get; } = callee;

    public override object? Evaluate(Scope scope) => Evaluate(scope, extraKeywords: []);

    public object? Evaluate(Scope scope, IReadOnlyList<KeyValuePair<string, object?>> extraKeywords)
    {
        var function = Callee.Evaluate(scope);
        var positional = args.Select(arg => arg.Evaluate(scope)).ToList();
        var named = keywords.Select(pair => new KeyValuePair<string, object?>(pair.Key, pair.Value.Evaluate(scope))).ToList();
        named.AddRange(extraKeywords);
        return Calls.Invoke(function, new CallArgs(positional, named), scope.State);
    }
}

/// <summary><c>source|name(args)</c>.</summary>
internal sealed class FilterExpr(Expr source, FilterCall filter, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope) => filter.Apply(source.Evaluate(scope), scope);
}

/// <summary><c>source is name(args)</c>.</summary>
internal sealed class TestExpr(Expr source, TestCall test, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope) => test.Apply(source.Evaluate(scope), scope);
}

/// <summary>A filter applied with its arguments; expressions and filter blocks share it.</summary>
internal sealed class FilterCall(string name, Filters.Function function, IReadOnlyList<Expr> args, IReadOnlyList<KeyValuePair<string, Expr>> keywords)
{
    public string Name { get; } = name;

    public object? Apply(object? value, Scope scope) => function(value, Arguments.Evaluate(args, keywords, scope), scope);
}

/// <summary>A test applied with its arguments.</summary>
internal sealed class TestCall(string name, Tests.Function function, IReadOnlyList<Expr> args, IReadOnlyList<KeyValuePair<string, Expr>> keywords)
{
    public string Name { get; } = name;

    public bool Apply(object? value, Scope scope) => function(value, Arguments.Evaluate(args, keywords, scope), scope);
}

/// <summary>Evaluates call arguments left to right.</summary>
internal static class Arguments
{
    public static CallArgs Evaluate(IReadOnlyList<Expr> args, IReadOnlyList<KeyValuePair<string, Expr>> keywords, Scope scope)
    {
        if (args.Count == 0 && keywords.Count == 0)
        {
            return CallArgs.None;
        }

        var positional = args.Select(arg => arg.Evaluate(scope)).ToList();
        var named = keywords.Select(pair => new KeyValuePair<string, object?>(pair.Key, pair.Value.Evaluate(scope))).ToList();
        return new CallArgs(positional, named);
    }
}

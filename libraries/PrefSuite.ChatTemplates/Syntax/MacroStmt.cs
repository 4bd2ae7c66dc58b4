using System.Text;
using PrefSuite.ChatTemplates.Runtime;

namespace PrefSuite.ChatTemplates.Syntax;

/// <summary>A macro's signature and body: <c>{% macro name(a, b=default) %}</c> or a call block's caller.</summary>
internal sealed class MacroDefinition(
    string name,
    IReadOnlyList<string> parameters,
    IReadOnlyList<Expr> defaults,
    IReadOnlyList<Stmt> body,
    bool catchVarargs,
    bool catchKwargs,
    bool usesCaller)
{
    public string Name { get; } = name;

    public IReadOnlyList<string> Parameters { get; } = parameters;

    /// <summary>Defaults of the last <c>Defaults.Count</c> parameters.</summary>
    public IReadOnlyList<Expr> Defaults { get; } = defaults;

    public IReadOnlyList<Stmt> Body { get; } = body;

    /// <summary>The body reads <c>varargs</c>: extra positional arguments are collected instead of refused.</summary>
    public bool CatchVarargs { get; } = catchVarargs;

    /// <summary>The body reads <c>kwargs</c>: unknown keyword arguments are collected instead of refused.</summary>
    public bool CatchKwargs { get; } = catchKwargs;

    /// <summary>The body reads <c>caller</c>.</summary>
    public bool UsesCaller { get; } = usesCaller;
}

/// <summary><c>{% macro %}...{% endmacro %}</c>: binds the name to a callable in the current scope.</summary>
internal sealed class MacroStmt(MacroDefinition definition, int line) : Stmt(line)
{
    public override string Construct => "{% macro %}";

    public override Flow Execute(Scope scope, StringBuilder output)
    {
        scope.Set(definition.Name, new Macro(definition, scope));
        return Flow.Normal;
    }
}

/// <summary><c>{% call(args) macro(...) %}body{% endcall %}</c>: calls the macro with the body as <c>caller</c>.</summary>
internal sealed class CallBlockStmt(CallExpr call, MacroDefinition caller, int line) : Stmt(line)
{
    public override string Construct => "{% call %}";

    public override Flow Execute(Scope scope, StringBuilder output)
    {
        var callerMacro = new Macro(caller, scope);
        output.Append(Py.Str(call.Evaluate(scope, [new("caller", callerMacro)])));
        return Flow.Normal;
    }
}

using System.Runtime.CompilerServices;
using PrefSuite.ChatTemplates.Syntax;

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>A macro value: calling it renders its body in a new scope under the scope it was defined in.</summary>
internal sealed class Macro : ICallable
{
    private readonly MacroDefinition _definition;
    private readonly Scope _definedIn;

    public Macro(MacroDefinition definition, Scope definedIn)
    {
        _definition = definition;
        _definedIn = definedIn;
    }

    public string Name => _definition.Name;

    public MacroDefinition Definition => _definition;

    /// <summary>Binds arguments the way Jinja2's Macro.__call__ does, then renders the body to a string.</summary>
    public object? Call(CallArgs args, RenderState state)
    {
        var parameters = _definition.Parameters;
        var keywords = new List<KeyValuePair<string, object?>>(args.Keywords);
        var values = new object?[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            if (i < args.Positional.Count)
            {
                values[i] = args.Positional[i];
                continue;
            }

            var index = keywords.FindIndex(pair => pair.Key == parameters[i]);
            values[i] = index < 0 ? Missing.Value : keywords[index].Value;
            if (index >= 0)
            {
                keywords.RemoveAt(index);
            }
        }

        object? caller = null;
        if (_definition.UsesCaller && !parameters.Contains("caller"))
        {
            var index = keywords.FindIndex(pair => pair.Key == "caller");
            caller = index < 0 ? Undefined.WithHint("No caller defined") : keywords[index].Value;
            if (index >= 0)
            {
                keywords.RemoveAt(index);
            }
        }

        if (!_definition.CatchKwargs && keywords.Count > 0)
        {
            throw TemplateRuntimeError.Type(keywords.Exists(pair => pair.Key == "caller")
                ? $"macro '{Name}' was invoked with two values for the special 'caller' argument. This is most likely a bug."
                : $"macro '{Name}' takes no keyword argument '{keywords[0].Key}'");
        }

        if (!_definition.CatchVarargs && args.Positional.Count > parameters.Count)
        {
            throw TemplateRuntimeError.Type($"macro '{Name}' takes not more than {parameters.Count} argument(s)");
        }

        if (state.CallDepth >= RenderState.MaxCallDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new TemplateRuntimeError("RecursionError", $"macro calls nested too deeply (more than {RenderState.MaxCallDepth}, or the stack is nearly full)");
        }

        state.CallDepth++;
        try
        {
            return Invoke(args, values, caller, keywords);
        }
        finally
        {
            state.CallDepth--;
        }
    }

    private string Invoke(CallArgs args, object?[] values, object? caller, List<KeyValuePair<string, object?>> keywords)
    {
        var parameters = _definition.Parameters;
        var scope = _definedIn.Child();
        var firstDefault = parameters.Count - _definition.Defaults.Count;
        for (var i = 0; i < parameters.Count; i++)
        {
            var value = values[i];
            if (value is Missing)
            {
                value = i >= firstDefault
                    ? _definition.Defaults[i - firstDefault].Evaluate(scope)
                    : Undefined.WithHint($"parameter '{parameters[i]}' was not provided");
            }

            scope.Set(parameters[i], value);
        }

        if (_definition.UsesCaller && !parameters.Contains("caller"))
        {
            scope.Set("caller", caller);
        }

        if (_definition.CatchKwargs)
        {
            var collected = new PyDict();
            foreach (var (key, value) in keywords)
            {
                collected.Set(key, value);
            }

            scope.Set("kwargs", collected);
        }

        if (_definition.CatchVarargs)
        {
            scope.Set("varargs", new PyList([.. args.Positional.Skip(parameters.Count)], isTuple: true));
        }

        return Stmt.Capture(_definition.Body, scope);
    }
}

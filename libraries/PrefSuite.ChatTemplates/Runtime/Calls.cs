namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Calling a value from a template.</summary>
internal static class Calls
{
    public static object? Invoke(object? function, CallArgs args, RenderState state) => function switch
    {
        ICallable callable => callable.Call(args, state),
        Undefined undefined => throw undefined.Fail(),
        _ => throw TemplateRuntimeError.Type($"'{Py.TypeName(function)}' object is not callable"),
    };
}

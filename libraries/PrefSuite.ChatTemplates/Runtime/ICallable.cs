namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Anything a template can call: macros, globals such as range() and raise_exception(), bound methods.</summary>
internal interface ICallable
{
    string Name { get; }

    object? Call(CallArgs args, RenderState state);
}

/// <summary>A global function (range, namespace, raise_exception, ...).</summary>
internal sealed class BuiltinFunction : ICallable
{
    private readonly Func<CallArgs, RenderState, object?> _body;

    public BuiltinFunction(string name, Func<CallArgs, RenderState, object?> body)
    {
        Name = name;
        _body = body;
    }

    public string Name { get; }

    public object? Call(CallArgs args, RenderState state) => _body(args, state);
}

/// <summary>A method looked up on a value, such as <c>message.content.startswith</c>.</summary>
internal sealed class BoundMethod : ICallable
{
    private readonly Func<CallArgs, RenderState, object?> _body;

    public BoundMethod(object? receiver, string name, Func<CallArgs, RenderState, object?> body)
    {
        Receiver = receiver;
        Name = name;
        _body = body;
    }

    public object? Receiver { get; }

    public string Name { get; }

    public object? Call(CallArgs args, RenderState state) => _body(args, state);
}

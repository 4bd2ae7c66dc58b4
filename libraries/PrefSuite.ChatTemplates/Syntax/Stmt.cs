using System.Text;
using PrefSuite.ChatTemplates.Runtime;

namespace PrefSuite.ChatTemplates.Syntax;

/// <summary>How a statement list ended: normally, or at a break or continue of the loop around it.</summary>
internal enum Flow
{
    Normal,
    Break,
    Continue,
}

/// <summary>A statement: text and <c>{{ }}</c> output, or a <c>{% %}</c> tag with its body.</summary>
internal abstract class Stmt
{
    protected Stmt(int line)
    {
        Line = line;
    }

    public int Line { get; }

    /// <summary>How error messages name the statement, e.g. <c>{% for %}</c>.</summary>
    public abstract string Construct { get; }

    public abstract Flow Execute(Scope scope, StringBuilder output);

    /// <summary>Runs a body; a runtime error becomes a <see cref="ChatTemplateException"/> naming the statement and line.</summary>
    public static Flow Run(IReadOnlyList<Stmt> body, Scope scope, StringBuilder output)
    {
        foreach (var statement in body)
        {
            Flow flow;
            try
            {
                flow = statement.Execute(scope, output);
            }
            catch (TemplateRuntimeError error)
            {
                throw Wrap(error, scope, statement.Line, statement.Construct);
            }

            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }

    public static ChatTemplateException Wrap(TemplateRuntimeError error, Scope scope, int line, string construct) =>
        error.Kind == "TemplateError"
            ? new ChatTemplateException(scope.State.TemplateName, line, "raise_exception", error.Message, error)
            : new ChatTemplateException(scope.State.TemplateName, line, construct, $"{error.Kind}: {error.Message}", error);

    /// <summary>Renders a body into a string of its own (block set, filter block, macro and caller bodies).</summary>
    public static string Capture(IReadOnlyList<Stmt> body, Scope scope)
    {
        var output = new StringBuilder();
        Run(body, scope, output);
        return output.ToString();
    }
}

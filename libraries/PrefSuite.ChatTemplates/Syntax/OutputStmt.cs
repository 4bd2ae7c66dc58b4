using System.Text;
using PrefSuite.ChatTemplates.Runtime;

namespace PrefSuite.ChatTemplates.Syntax;

/// <summary>Template text and <c>{{ expression }}</c> tags between two statements.</summary>
internal sealed class OutputStmt(IReadOnlyList<object> items, int line) : Stmt(line)
{
    /// <summary>Each item is a string (template text) or an <see cref="Expr"/>.</summary>
    public IReadOnlyList<object> Items { get; } = items;

    public override string Construct => "{{ ... }}";

    public override Flow Execute(Scope scope, StringBuilder output)
    {
        foreach (var item in Items)
        {
            if (item is string text)
            {
                output.Append(text);
                continue;
            }

            var expression = (Expr)item;
            try
            {
                output.Append(Py.Str(expression.Evaluate(scope)));
            }
            catch (TemplateRuntimeError error)
            {
                throw Wrap(error, scope, expression.Line, Construct);
            }
        }

        return Flow.Normal;
    }
}

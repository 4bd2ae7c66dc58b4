using System.Text;
using PrefSuite.ChatTemplates.Runtime;

namespace PrefSuite.ChatTemplates.Syntax;

/// <summary><c>{% for target in iterable if filter %}body{% else %}empty{% endfor %}</c>.</summary>
/// <remarks>Each iteration gets a fresh scope (with <c>loop</c>) whose parent is the scope around the loop; the filter
/// runs before the loop object counts, so <c>loop.length</c> and <c>loop.last</c> see the filtered items.</remarks>
internal sealed class ForStmt(Target target, Expr iterable, Expr? filter, IReadOnlyList<Stmt> body, IReadOnlyList<Stmt> otherwise, int line) : Stmt(line)
{
    public override string Construct => "{% for %}";

    public override Flow Execute(Scope scope, StringBuilder output)
    {
        var items = Py.Iterate(iterable.Evaluate(scope));
        if (filter is not null)
        {
            items = items.Where(item =>
            {
                var probe = scope.Child();
                target.Assign(probe, item);
                return Py.Truthy(filter.Evaluate(probe));
            }).ToList();
        }

        var loop = new LoopContext(items);
        var completed = false;
        for (var i = 0; i < items.Count; i++)
        {
            loop.Index0 = i;
            var iteration = scope.Child();
            iteration.Set("loop", loop);
            target.Assign(iteration, items[i]);
            var flow = Run(body, iteration, output);
            if (flow == Flow.Break)
            {
                break;
            }

            completed |= flow == Flow.Normal;
        }

        // Jinja2 clears its "no iteration" flag at the end of the body, so the else block also runs when every
        // iteration left early through break or continue. The else block is inline code of the enclosing loop:
        // a break or continue in it applies to that loop.
        return completed ? Flow.Normal : Run(otherwise, scope.Child(), output);
    }
}

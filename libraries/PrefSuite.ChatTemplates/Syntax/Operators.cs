using System.Text;
using PrefSuite.ChatTemplates.Runtime;

namespace PrefSuite.ChatTemplates.Syntax;

/// <summary>Unary minus or plus.</summary>
internal sealed class UnaryExpr(char op, Expr operand, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope)
    {
        var value = operand.Evaluate(scope);
        return op == '-' ? Py.Negate(value) : Py.Plus(value);
    }
}

/// <summary><c>not operand</c>.</summary>
internal sealed class NotExpr(Expr operand, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope) => !Py.Truthy(operand.Evaluate(scope));
}

/// <summary>An arithmetic operator: + - * / // % **.</summary>
internal sealed class BinaryExpr(string op, Expr left, Expr right, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope)
    {
        var a = left.Evaluate(scope);
        var b = right.Evaluate(scope);
        return op switch
        {
            "+" => Py.Add(a, b),
            "-" => Py.Subtract(a, b),
            "*" => Py.Multiply(a, b),
            "/" => Py.Divide(a, b),
            "//" => Py.FloorDivide(a, b),
            "%" => Py.Modulo(a, b),
            _ => Py.Power(a, b),
        };
    }
}

/// <summary><c>a and b</c>: returns an operand, as Python does.</summary>
internal sealed class AndExpr(Expr left, Expr right, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope)
    {
        var a = left.Evaluate(scope);
        return Py.Truthy(a) ? right.Evaluate(scope) : a;
    }
}

/// <summary><c>a or b</c>: returns an operand, as Python does.</summary>
internal sealed class OrExpr(Expr left, Expr right, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope)
    {
        var a = left.Evaluate(scope);
        return Py.Truthy(a) ? a : right.Evaluate(scope);
    }
}

/// <summary><c>a ~ b ~ c</c>: string concatenation of str() of each (undefined prints as "").</summary>
internal sealed class ConcatExpr(IReadOnlyList<Expr> parts, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            builder.Append(Py.Str(part.Evaluate(scope)));
        }

        return builder.ToString();
    }
}

/// <summary>A comparison chain: <c>a &lt; b &lt;= c</c>, <c>x in y</c>, <c>x not in y</c>, ==, !=.</summary>
internal sealed class CompareExpr(Expr first, IReadOnlyList<KeyValuePair<string, Expr>> rest, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope)
    {
        var left = first.Evaluate(scope);
        foreach (var (op, operand) in rest)
        {
            var right = operand.Evaluate(scope);
            if (!Holds(op, left, right))
            {
                return false;
            }

            left = right;
        }

        return true;
    }

    private static bool Holds(string op, object? left, object? right) => op switch
    {
        "==" => Py.Equal(left, right),
        "!=" => !Py.Equal(left, right),
        "in" => Py.Contains(right, left),
        "not in" => !Py.Contains(right, left),
        _ => Py.Ordered(op, left, right),
    };
}

/// <summary><c>a if test else b</c>; without else, an undefined value.</summary>
internal sealed class CondExpr(Expr test, Expr whenTrue, Expr? whenFalse, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope)
    {
        if (Py.Truthy(test.Evaluate(scope)))
        {
            return whenTrue.Evaluate(scope);
        }

        return whenFalse is null
            ? Undefined.WithHint("the inline if-expression on line " + Line + " evaluated to false and no else section was defined.")
            : whenFalse.Evaluate(scope);
    }
}

/// <summary><c>[a, b]</c> or <c>(a, b)</c>.</summary>
internal sealed class ListExpr(IReadOnlyList<Expr> items, bool isTuple, int line) : Expr(line)
{
    public IReadOnlyList<Expr> Items { get; } = items;

    public bool IsTuple { get; } = isTuple;

    public override object? Evaluate(Scope scope) => new PyList([.. Items.Select(item => item.Evaluate(scope))], IsTuple);
}

/// <summary><c>{key: value}</c>.</summary>
internal sealed class DictExpr(IReadOnlyList<KeyValuePair<Expr, Expr>> pairs, int line) : Expr(line)
{
    public override object? Evaluate(Scope scope)
    {
        var dict = new PyDict();
        foreach (var (key, value) in pairs)
        {
            dict.Set(key.Evaluate(scope), value.Evaluate(scope));
        }

        return dict;
    }
}

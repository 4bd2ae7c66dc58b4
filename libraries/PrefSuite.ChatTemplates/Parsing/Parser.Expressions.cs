using PrefSuite.ChatTemplates.Lexing;
using PrefSuite.ChatTemplates.Runtime;
using PrefSuite.ChatTemplates.Syntax;

namespace PrefSuite.ChatTemplates.Parsing;

/// <summary>Expressions, with Jinja2's precedence (lowest first): inline if, or, and, not, comparisons, + -, ~,
/// * / // %, ** (left-associative), unary - +, then postfix (.attr, [item], call), filters and tests.</summary>
internal sealed partial class Parser
{
    private static readonly HashSet<string> CompareOperators = ["==", "!=", ">", ">=", "<", "<="];

    private Expr ParseExpression(bool withCondExpr = true) => withCondExpr ? ParseCondExpr() : ParseOr();

    private Expr ParseCondExpr()
    {
        var line = _stream.Current.Line;
        var mark = _unresolved.Count;
        var expression = ParseOr();
        while (_stream.SkipIfName("if"))
        {
            var test = ParseOr();
            var otherwise = _stream.SkipIfName("else") ? ParseCondExpr() : null;
            expression = new CondExpr(test, expression, otherwise, line);
            line = _stream.Current.Line;
            for (var i = mark; i < _unresolved.Count; i++)
            {
                _unresolved[i].Soft = true;
            }
        }

        return expression;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (_stream.Current.IsName("or"))
        {
            var line = _stream.Next().Line;
            left = new OrExpr(left, ParseAnd(), line);
        }

        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (_stream.Current.IsName("and"))
        {
            var line = _stream.Next().Line;
            left = new AndExpr(left, ParseNot(), line);
        }

        return left;
    }

    private Expr ParseNot()
    {
        if (_stream.Current.IsName("not"))
        {
            var line = _stream.Next().Line;
            return new NotExpr(ParseNot(), line);
        }

        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        var line = _stream.Current.Line;
        var first = ParseMath1();
        var rest = new List<KeyValuePair<string, Expr>>();
        while (true)
        {
            var token = _stream.Current;
            if (token.Kind == TokenKind.Operator && CompareOperators.Contains(token.Text))
            {
                _stream.Next();
                rest.Add(new(token.Text, ParseMath1()));
            }
            else if (_stream.SkipIfName("in"))
            {
                rest.Add(new("in", ParseMath1()));
            }
            else if (token.IsName("not") && _stream.Look().IsName("in"))
            {
                _stream.Next();
                _stream.Next();
                rest.Add(new("not in", ParseMath1()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new CompareExpr(first, rest, line);
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (_stream.Current.IsOperator("+") || _stream.Current.IsOperator("-"))
        {
            var token = _stream.Next();
            left = new BinaryExpr(token.Text, left, ParseConcat(), token.Line);
        }

        return left;
    }

    private Expr ParseConcat()
    {
        var line = _stream.Current.Line;
        var parts = new List<Expr> { ParseMath2() };
        while (_stream.SkipIfOperator("~"))
        {
            parts.Add(ParseMath2());
        }

        return parts.Count == 1 ? parts[0] : new ConcatExpr(parts, line);
    }

    private Expr ParseMath2()
    {
        var left = ParsePow();
        while (_stream.Current.Kind == TokenKind.Operator && _stream.Current.Text is "*" or "/" or "//" or "%")
        {
            var token = _stream.Next();
            left = new BinaryExpr(token.Text, left, ParsePow(), token.Line);
        }

        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary();
        while (_stream.Current.IsOperator("**"))
        {
            var token = _stream.Next();
            left = new BinaryExpr("**", left, ParseUnary(), token.Line);
        }

        return left;
    }

    private Expr ParseUnary(bool withFilter = true)
    {
        var token = _stream.Current;
        EnsureStack(token.Line);
        Expr node;
        if (token.IsOperator("-") || token.IsOperator("+"))
        {
            _stream.Next();
            node = new UnaryExpr(token.Text[0], ParseUnary(withFilter: false), token.Line);
        }
        else
        {
            node = ParsePrimary();
        }

        node = ParsePostfix(node);
        return withFilter ? ParseFilterExpr(node) : node;
    }

    private Expr ParsePrimary()
    {
        var token = _stream.Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                _stream.Next();
                switch (token.Text)
                {
                    case "true" or "True":
                        return new ConstExpr(true, token.Line);
                    case "false" or "False":
                        return new ConstExpr(false, token.Line);
                    case "none" or "None":
                        return new ConstExpr(null, token.Line);
                    default:
                        foreach (var names in _macroNames)
                        {
                            names.Add(token.Text);
                        }

                        return new NameExpr(token.Text, token.Line);
                }

            case TokenKind.String:
                _stream.Next();
                var text = (string)token.Value!;
                while (_stream.Current.Kind == TokenKind.String)
                {
                    text += (string)_stream.Next().Value!;
                }

                return new ConstExpr(text, token.Line);
            case TokenKind.Integer or TokenKind.Float:
                _stream.Next();
                return new ConstExpr(token.Value, token.Line);
            case TokenKind.Operator when token.Text == "(":
                _stream.Next();
                var inner = ParseTuple(explicitParentheses: true);
                ExpectOperator(")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                return ParseList();
            case TokenKind.Operator when token.Text == "{":
                return ParseDict();
            default:
                throw Fail(token.Line, $"unexpected '{token.Describe()}'");
        }
    }

    /// <summary>Comma-separated expressions; a tuple when there is a comma (or empty parentheses).</summary>
    private Expr ParseTuple(bool simplified = false, bool withCondExpr = true, string[]? extraEndRules = null, bool explicitParentheses = false)
    {
        var line = _stream.Current.Line;
        var items = new List<Expr>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0)
            {
                ExpectOperator(",");
            }

            if (IsTupleEnd(extraEndRules))
            {
                break;
            }

            items.Add(simplified ? ParsePrimary() : ParseExpression(withCondExpr));
            if (_stream.Current.IsOperator(","))
            {
                isTuple = true;
            }
            else
            {
                break;
            }
        }

        if (!isTuple)
        {
            if (items.Count > 0)
            {
                return items[0];
            }

            if (!explicitParentheses)
            {
                throw Fail(_stream.Current.Line, $"Expected an expression, got '{_stream.Current.Describe()}'");
            }
        }

        return new ListExpr(items, isTuple: true, line);
    }

    private bool IsTupleEnd(string[]? extraEndRules)
    {
        var token = _stream.Current;
        return token.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || token.IsOperator(")") ||
            (extraEndRules is not null && token.Kind == TokenKind.Name && extraEndRules.Contains(token.Text));
    }

    private ListExpr ParseList()
    {
        var line = _stream.Next().Line;
        var items = new List<Expr>();
        while (!_stream.Current.IsOperator("]"))
        {
            if (items.Count > 0)
            {
                ExpectOperator(",");
            }

            if (_stream.Current.IsOperator("]"))
            {
                break;
            }

            items.Add(ParseExpression());
        }

        ExpectOperator("]");
        return new ListExpr(items, isTuple: false, line);
    }

    private DictExpr ParseDict()
    {
        var line = _stream.Next().Line;
        var pairs = new List<KeyValuePair<Expr, Expr>>();
        while (!_stream.Current.IsOperator("}"))
        {
            if (pairs.Count > 0)
            {
                ExpectOperator(",");
            }

            if (_stream.Current.IsOperator("}"))
            {
                break;
            }

            var key = ParseExpression();
            ExpectOperator(":");
            pairs.Add(new(key, ParseExpression()));
        }

        ExpectOperator("}");
        return new DictExpr(pairs, line);
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            var token = _stream.Current;
            if (token.IsOperator(".") || token.IsOperator("["))
            {
                node = ParseSubscript(node);
            }
            else if (token.IsOperator("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseFilterExpr(Expr node)
    {
        while (true)
        {
            var token = _stream.Current;
            if (token.IsOperator("|"))
            {
                node = new FilterExpr(node, ParseFilterChain(startInline: false, single: true)[0], token.Line);
            }
            else if (token.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (token.IsOperator("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseSubscript(Expr node)
    {
        var token = _stream.Next();
        if (token.IsOperator("."))
        {
            var attribute = _stream.Next();
            return attribute.Kind switch
            {
                TokenKind.Name => new GetAttrExpr(node, attribute.Text, token.Line),
                TokenKind.Integer => new GetItemExpr(node, new ConstExpr(attribute.Value, attribute.Line), token.Line),
                _ => throw Fail(attribute.Line, "expected name or number"),
            };
        }

        var keys = new List<Expr>();
        while (!_stream.Current.IsOperator("]"))
        {
            if (keys.Count > 0)
            {
                ExpectOperator(",");
            }

            keys.Add(ParseSubscribed());
        }

        ExpectOperator("]");
        var key = keys.Count == 1 ? keys[0] : new ListExpr(keys, isTuple: true, token.Line);
        return new GetItemExpr(node, key, token.Line);
    }

    /// <summary>An index or a slice <c>start:stop:step</c> (each part optional).</summary>
    private Expr ParseSubscribed()
    {
        var line = _stream.Current.Line;
        Expr? start = null;
        if (!_stream.SkipIfOperator(":"))
        {
            start = ParseExpression();
            if (!_stream.SkipIfOperator(":"))
            {
                return start;
            }
        }

        Expr? stop = null;
        if (!_stream.Current.IsOperator(":") && !_stream.Current.IsOperator("]") && !_stream.Current.IsOperator(","))
        {
            stop = ParseExpression();
        }

        Expr? step = null;
        if (_stream.SkipIfOperator(":") && !_stream.Current.IsOperator("]") && !_stream.Current.IsOperator(","))
        {
            step = ParseExpression();
        }

        return new SliceExpr(start, stop, step, line);
    }

    private CallExpr ParseCall(Expr callee)
    {
        var line = _stream.Current.Line;
        var (args, keywords) = ParseCallArgs();
        return new CallExpr(callee, args, keywords, line);
    }

    private (List<Expr> Args, List<KeyValuePair<string, Expr>> Keywords) ParseCallArgs()
    {
        var open = _stream.Current;
        ExpectOperator("(");
        var args = new List<Expr>();
        var keywords = new List<KeyValuePair<string, Expr>>();
        var requireComma = false;
        while (!_stream.Current.IsOperator(")"))
        {
            if (requireComma)
            {
                ExpectOperator(",");
                if (_stream.Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (_stream.Current.IsOperator("*") || _stream.Current.IsOperator("**"))
            {
                throw new ChatTemplateException(_templateName, _stream.Current.Line, "f(*args, **kwargs)",
                    "calls with unpacked arguments (* or **) are not supported");
            }

            if (_stream.Current.Kind == TokenKind.Name && _stream.Look().IsOperator("="))
            {
                var name = _stream.Next().Text;
                _stream.Next();
                keywords.Add(new(name, ParseExpression()));
            }
            else
            {
                if (keywords.Count > 0)
                {
                    throw Fail(open.Line, "invalid syntax for function call expression");
                }

                args.Add(ParseExpression());
            }

            requireComma = true;
        }

        ExpectOperator(")");
        return (args, keywords);
    }

    /// <summary>Filters after a pipe (or, in a filter block, the first without one): <c>|name</c> or <c>|name(args)</c>.</summary>
    private List<FilterCall> ParseFilterChain(bool startInline, bool single = false)
    {
        var filters = new List<FilterCall>();
        while (_stream.Current.IsOperator("|") || startInline)
        {
            if (!startInline)
            {
                _stream.Next();
            }

            startInline = false;
            var token = Expect(TokenKind.Name);
            var name = token.Text;
            while (_stream.SkipIfOperator("."))
            {
                name += "." + Expect(TokenKind.Name).Text;
            }

            if (!Filters.TryGet(name, out var function))
            {
                var knownToJinja = Filters.JinjaNames.Contains(name);
                _unresolved.Add(new Unresolved(knownToJinja
                    ? new ChatTemplateException(_templateName, token.Line, $"filter '{name}'", $"the '{name}' filter is not supported")
                    : new ChatTemplateException(_templateName, token.Line, $"filter '{name}'", $"TemplateAssertionError: No filter named '{name}'."), _soft));
                var filterName = name;
                function = (_, _, _) => throw (knownToJinja
                    ? TemplateRuntimeError.Unsupported($"the '{filterName}' filter")
                    : new TemplateRuntimeError("TemplateRuntimeError", $"No filter named '{filterName}' found."));
            }

            var (args, keywords) = _stream.Current.IsOperator("(") ? ParseCallArgs() : ([], []);
            filters.Add(new FilterCall(name, function, args, keywords));
            if (single)
            {
                break;
            }
        }

        return filters;
    }

    private Expr ParseTest(Expr node)
    {
        var line = _stream.Next().Line;
        var negated = _stream.SkipIfName("not");
        var token = Expect(TokenKind.Name);
        var name = token.Text;
        while (_stream.SkipIfOperator("."))
        {
            name += "." + Expect(TokenKind.Name).Text;
        }

        if (!Tests.TryGet(name, out var function))
        {
            _unresolved.Add(new Unresolved(
                new ChatTemplateException(_templateName, token.Line, $"test '{name}'", $"TemplateAssertionError: No test named '{name}'."), _soft));
            var testName = name;
            function = (_, _, _) => throw new TemplateRuntimeError("TemplateRuntimeError", $"No test named '{testName}' found.");
        }

        List<Expr> args = [];
        List<KeyValuePair<string, Expr>> keywords = [];
        var current = _stream.Current;
        if (current.IsOperator("("))
        {
            (args, keywords) = ParseCallArgs();
        }
        else if ((current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float ||
                  current.IsOperator("[") || current.IsOperator("{")) &&
                 !(current.IsName("else") || current.IsName("or") || current.IsName("and")))
        {
            if (current.IsName("is"))
            {
                throw Fail(current.Line, "You cannot chain multiple tests with is");
            }

            args = [ParsePostfix(ParsePrimary())];
        }

        Expr test = new TestExpr(node, new TestCall(name, function, args, keywords), line);
        return negated ? new NotExpr(test, line) : test;
    }
}

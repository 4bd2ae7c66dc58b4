using System.Runtime.CompilerServices;
using PrefSuite.ChatTemplates.Lexing;
using PrefSuite.ChatTemplates.Syntax;

namespace PrefSuite.ChatTemplates.Parsing;

/// <summary>Jinja2's parser for the statements chat templates use. Tags it does not support fail here, at parse
/// time, naming the tag and its line.</summary>
internal sealed partial class Parser
{
    private static readonly HashSet<string> UnsupportedTags = ["block", "extends", "include", "import", "from", "autoescape"];

    private readonly TokenStream _stream;
    private readonly string _templateName;
    private readonly Stack<string> _openTags = new();

    /// <summary>Names read inside each macro (or call block) being parsed: varargs, kwargs and caller change how it binds arguments.</summary>
    private readonly List<HashSet<string>> _macroNames = [];
    private int _loopDepth;

    /// <summary>Filters and tests that do not exist or are not supported. Jinja2 fails at compile time for them, except
    /// in a "soft" frame (an if statement's tests and bodies, an inline if): there they fail only if they run.</summary>
    private readonly List<Unresolved> _unresolved = [];
    private bool _soft;

    private sealed class Unresolved(ChatTemplateException error, bool soft)
    {
        public ChatTemplateException Error { get; } = error;

        public bool Soft { get; set; } = soft;
    }

    private Parser(List<Token> tokens, string templateName)
    {
        _stream = new TokenStream(tokens);
        _templateName = templateName;
    }

    public static IReadOnlyList<Stmt> Parse(string source, string templateName)
    {
        var parser = new Parser(Lexer.Tokenize(source, templateName), templateName);
        var body = parser.Subparse(null);
        var unresolved = parser._unresolved.Find(entry => !entry.Soft);
        return unresolved is null ? body : throw unresolved.Error;
    }

    private List<Stmt> Subparse(string[]? endTags)
    {
        var body = new List<Stmt>();
        var output = new List<object>();
        var outputLine = 0;
        void Flush()
        {
            if (output.Count > 0)
            {
                body.Add(new OutputStmt([.. output], outputLine));
                output.Clear();
            }
        }

        while (_stream.Current.Kind != TokenKind.Eof)
        {
            var token = _stream.Current;
            switch (token.Kind)
            {
                case TokenKind.Data:
                    outputLine = output.Count == 0 ? token.Line : outputLine;
                    output.Add(token.Text);
                    _stream.Next();
                    break;
                case TokenKind.VariableBegin:
                    outputLine = output.Count == 0 ? token.Line : outputLine;
                    _stream.Next();
                    output.Add(ParseTuple());
                    Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    Flush();
                    _stream.Next();
                    if (endTags is not null && _stream.Current.Kind == TokenKind.Name && endTags.Contains(_stream.Current.Text))
                    {
                        return body;
                    }

                    body.Add(ParseStatement());
                    Expect(TokenKind.BlockEnd);
                    break;
                default:
                    throw Fail(token.Line, $"unexpected '{token.Describe()}'");
            }
        }

        Flush();
        return body;
    }

    private List<Stmt> ParseStatements(string[] endTags, bool dropNeedle = false)
    {
        _stream.SkipIfOperator(":");
        Expect(TokenKind.BlockEnd);
        var body = Subparse(endTags);
        if (_stream.Current.Kind == TokenKind.Eof)
        {
            var expected = string.Join(" or ", endTags.Select(tag => $"'{tag}'"));
            throw Fail(_stream.Current.Line,
                $"Unexpected end of template. Jinja was looking for the following tags: {expected}. The innermost block that needs to be closed is '{_openTags.Peek()}'.");
        }

        if (dropNeedle)
        {
            _stream.Next();
        }

        return body;
    }

    private Stmt ParseStatement()
    {
        var token = _stream.Current;
        EnsureStack(token.Line);
        if (token.Kind != TokenKind.Name)
        {
            throw Fail(token.Line, "tag name expected");
        }

        if (UnsupportedTags.Contains(token.Text))
        {
            throw new ChatTemplateException(_templateName, token.Line, $"{{% {token.Text} %}}",
                $"the '{token.Text}' tag is not supported (a chat template is rendered alone, without other templates)");
        }

        _openTags.Push(token.Text);
        try
        {
            return token.Text switch
            {
                "for" => ParseFor(),
                "if" => ParseIf(),
                "set" => ParseSet(),
                "macro" => ParseMacro(),
                "call" => ParseCallBlock(),
                "filter" => ParseFilterBlock(),
                "with" => ParseWith(),
                "print" => ParsePrint(),
                "break" or "continue" => ParseLoopControl(),
                "generation" => ParseGeneration(),
                _ => throw Fail(token.Line, $"Encountered unknown tag '{token.Text}'."),
            };
        }
        finally
        {
            _openTags.Pop();
        }
    }

    private ForStmt ParseFor()
    {
        var line = _stream.Next().Line;
        var target = ParseAssignTarget(extraEndRules: ["in"]);
        ExpectName("in");
        var iterable = ParseTuple(withCondExpr: false, extraEndRules: ["recursive"]);
        var wasSoft = _soft;
        _soft = false;
        var filter = _stream.SkipIfName("if") ? ParseExpression() : null;
        if (_stream.Current.IsName("recursive"))
        {
            throw new ChatTemplateException(_templateName, line, "{% for ... recursive %}", "recursive loops are not supported");
        }

        _loopDepth++;
        var body = ParseStatements(["endfor", "else"]);
        _loopDepth--;
        var otherwise = _stream.Next().Text == "endfor" ? [] : ParseStatements(["endfor"], dropNeedle: true);
        _soft = wasSoft;
        return new ForStmt(target, iterable, filter, body, otherwise, line);
    }

    private IfStmt ParseIf()
    {
        var wasSoft = _soft;
        _soft = true;
        var statement = ParseIfBody();
        _soft = wasSoft;
        return statement;
    }

    private IfStmt ParseIfBody()
    {
        var line = _stream.Next().Line;
        var branches = new List<KeyValuePair<Expr, IReadOnlyList<Stmt>>>();
        IReadOnlyList<Stmt> otherwise = [];
        while (true)
        {
            var test = ParseTuple(withCondExpr: false);
            branches.Add(new(test, ParseStatements(["elif", "else", "endif"])));
            var token = _stream.Next();
            if (token.IsName("elif"))
            {
                continue;
            }

            if (token.IsName("else"))
            {
                otherwise = ParseStatements(["endif"], dropNeedle: true);
            }

            break;
        }

        return new IfStmt(branches, otherwise, line);
    }

    private Stmt ParseSet()
    {
        var line = _stream.Next().Line;
        var target = ParseAssignTarget(withNamespace: true);
        if (_stream.SkipIfOperator("="))
        {
            return new SetStmt(target, ParseTuple(), line);
        }

        return Hard(() =>
        {
            var filters = _stream.Current.IsOperator("|") ? ParseFilterChain(startInline: false) : [];
            var body = ParseStatements(["endset"], dropNeedle: true);
            return new SetBlockStmt(target, filters, body, line);
        });
    }

    private MacroStmt ParseMacro() => Hard(ParseMacroDefinition);

    private MacroStmt ParseMacroDefinition()
    {
        var line = _stream.Next().Line;
        var name = Expect(TokenKind.Name).Text;
        var (parameters, defaults) = ParseSignature();
        var definition = ParseMacroBody(name, parameters, defaults, "endmacro");
        return new MacroStmt(definition, line);
    }

    private MacroDefinition ParseMacroBody(string name, List<string> parameters, List<Expr> defaults, string endTag)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        _macroNames.Add(names);
        var loopDepth = _loopDepth;
        _loopDepth = 0;
        try
        {
            var body = ParseStatements([endTag], dropNeedle: true);
            return new MacroDefinition(name, parameters, defaults, body,
                catchVarargs: names.Contains("varargs"), catchKwargs: names.Contains("kwargs"), usesCaller: names.Contains("caller"));
        }
        finally
        {
            _loopDepth = loopDepth;
            _macroNames.RemoveAt(_macroNames.Count - 1);
        }
    }

    private (List<string> Parameters, List<Expr> Defaults) ParseSignature()
    {
        var parameters = new List<string>();
        var defaults = new List<Expr>();
        ExpectOperator("(");
        while (!_stream.Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                ExpectOperator(",");
            }

            var parameter = Expect(TokenKind.Name);
            if (_stream.SkipIfOperator("="))
            {
                defaults.Add(ParseExpression());
            }
            else if (defaults.Count > 0)
            {
                throw Fail(parameter.Line, "non-default argument follows default argument");
            }

            parameters.Add(parameter.Text);
        }

        ExpectOperator(")");
        return (parameters, defaults);
    }

    private CallBlockStmt ParseCallBlock() => Hard(ParseCallBlockDefinition);

    private CallBlockStmt ParseCallBlockDefinition()
    {
        var line = _stream.Next().Line;
        var (parameters, defaults) = _stream.Current.IsOperator("(") ? ParseSignature() : ([], []);
        if (ParseExpression() is not CallExpr call)
        {
            throw Fail(line, "expected call");
        }

        var caller = ParseMacroBody("caller", parameters, defaults, "endcall");
        return new CallBlockStmt(call, caller, line);
    }

    private FilterBlockStmt ParseFilterBlock()
    {
        var line = _stream.Next().Line;
        return Hard(() =>
        {
            var filters = ParseFilterChain(startInline: true);
            var body = ParseStatements(["endfilter"], dropNeedle: true);
            return new FilterBlockStmt(filters, body, line);
        });
    }

    private WithStmt ParseWith()
    {
        var line = _stream.Next().Line;
        var bindings = new List<KeyValuePair<Target, Expr>>();
        while (_stream.Current.Kind != TokenKind.BlockEnd)
        {
            if (bindings.Count > 0)
            {
                ExpectOperator(",");
            }

            var target = ParseAssignTarget();
            ExpectOperator("=");
            bindings.Add(new(target, ParseExpression()));
        }

        var body = Hard(() => ParseStatements(["endwith"], dropNeedle: true));
        return new WithStmt(bindings, body, line);
    }

    private OutputStmt ParsePrint()
    {
        var line = _stream.Next().Line;
        var items = new List<object>();
        while (_stream.Current.Kind != TokenKind.BlockEnd)
        {
            if (items.Count > 0)
            {
                ExpectOperator(",");
            }

            items.Add(ParseExpression());
        }

        return new OutputStmt(items, line);
    }

    private LoopControlStmt ParseLoopControl()
    {
        var token = _stream.Next();
        if (_loopDepth == 0)
        {
            throw Fail(token.Line, $"'{token.Text}' outside loop");
        }

        return new LoopControlStmt(token.Text == "break" ? Flow.Break : Flow.Continue, token.Line);
    }

    private GenerationStmt ParseGeneration()
    {
        var line = _stream.Next().Line;
        var loopDepth = _loopDepth;
        _loopDepth = 0;
        var body = Hard(() => ParseStatements(["endgeneration"], dropNeedle: true));
        _loopDepth = loopDepth;
        return new GenerationStmt(body, line);
    }

    /// <summary>Parses what Jinja2 compiles in a frame of its own, which is never soft.</summary>
    private T Hard<T>(Func<T> parse)
    {
        var wasSoft = _soft;
        _soft = false;
        try
        {
            return parse();
        }
        finally
        {
            _soft = wasSoft;
        }
    }

    /// <summary>A set, for or with target: a name, a tuple of names, or (with <paramref name="withNamespace"/>) ns.attr.</summary>
    private Target ParseAssignTarget(string[]? extraEndRules = null, bool withNamespace = false)
    {
        if (withNamespace && _stream.Look().IsOperator("."))
        {
            var name = Expect(TokenKind.Name).Text;
            _stream.Next();
            return new NamespaceTarget(name, Expect(TokenKind.Name).Text);
        }

        var line = _stream.Current.Line;
        return ToTarget(ParseTuple(simplified: true, extraEndRules: extraEndRules), line);
    }

    private Target ToTarget(Expr expression, int line) => expression switch
    {
        NameExpr name when name.Name is not ("true" or "false" or "none" or "True" or "False" or "None") => new NameTarget(name.Name),
        ListExpr { IsTuple: true } tuple => new TupleTarget([.. tuple.Items.Select(item => ToTarget(item, line))]),
        _ => throw Fail(line, $"can't assign to {expression.GetType().Name.Replace("Expr", "", StringComparison.Ordinal).ToLowerInvariant()}"),
    };

    /// <summary>Refuses nesting so deep that parsing (or rendering) it would overflow the stack.</summary>
    private void EnsureStack(int line)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new ChatTemplateException(_templateName, line, "template", "the template is nested too deeply");
        }
    }

    private Token Expect(TokenKind kind)
    {
        var token = _stream.Current;
        if (token.Kind != kind)
        {
            throw Fail(token.Line, $"expected token '{Describe(kind)}', got '{token.Describe()}'");
        }

        return _stream.Next();
    }

    private void ExpectName(string name)
    {
        if (!_stream.Current.IsName(name))
        {
            throw Fail(_stream.Current.Line, $"expected token '{name}', got '{_stream.Current.Describe()}'");
        }

        _stream.Next();
    }

    private void ExpectOperator(string symbol)
    {
        if (!_stream.Current.IsOperator(symbol))
        {
            throw Fail(_stream.Current.Line, $"expected token '{symbol}', got '{_stream.Current.Describe()}'");
        }

        _stream.Next();
    }

    private static string Describe(TokenKind kind) => kind switch
    {
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.VariableEnd => "end of print statement",
        TokenKind.Name => "name",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private ChatTemplateException Fail(int line, string message)
    {
        var construct = _openTags.Count > 0 ? $"{{% {_openTags.Peek()} %}}" : "template";
        return new ChatTemplateException(_templateName, line, construct, "TemplateSyntaxError: " + message);
    }
}

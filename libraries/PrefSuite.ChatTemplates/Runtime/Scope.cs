namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Variables of one Jinja frame: the template's top level, one loop iteration, a macro call, a with block.</summary>
/// <remarks>Lookups walk outwards and see each frame's current values (Jinja2 binds names late); assignments stay in
/// the frame where they happen, which is why a <c>{% set %}</c> in a loop does not survive the iteration.</remarks>
internal sealed class Scope
{
    private Dictionary<string, object?>? _variables;

    public Scope(RenderState state, Scope? parent)
    {
        State = state;
        Parent = parent;
    }

    public RenderState State { get; }

    public Scope? Parent { get; }

    public Scope Child() => new(State, this);

    public object? Get(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables is not null && scope._variables.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return Undefined.Variable(name);
    }

    public void Set(string name, object? value) => (_variables ??= new(StringComparer.Ordinal))[name] = value;
}

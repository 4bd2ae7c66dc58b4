namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>What one render shares across scopes: the template's name, the clock strftime_now reads, the call depth.</summary>
internal sealed class RenderState
{
    /// <summary>Deeper macro recursion than this fails like Python's RecursionError would, instead of overflowing the stack.</summary>
    public const int MaxCallDepth = 200;

    public RenderState(string templateName, TimeProvider clock)
    {
        TemplateName = templateName;
        Clock = clock;
    }

    public string TemplateName { get; }

    public TimeProvider Clock { get; }

    public int CallDepth { get; set; }
}

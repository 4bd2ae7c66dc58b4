namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Marks an argument that was not passed (Python's "no value", distinct from None).</summary>
internal sealed class Missing
{
    public static readonly Missing Value = new();

    private Missing()
    {
    }
}

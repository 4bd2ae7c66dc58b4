namespace PrefSuite.ServiceHosting;

/// <summary>Reads (run, prompt) back from a unit id "run/prompt/stage".</summary>
public static class UnitIds
{
    public static (string RunId, string PromptId) Split(string unitId)
    {
        var parts = (unitId ?? string.Empty).Split('/');
        return parts.Length >= 3 ? (parts[0], string.Join('/', parts[1..^1])) : (parts.FirstOrDefault() ?? string.Empty, string.Empty);
    }
}

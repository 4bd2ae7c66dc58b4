namespace PrefSuite.Storage;

/// <summary>Checks artifact paths: relative, forward slashes, no empty, "." or ".." segments.</summary>
public static class ArtifactPath
{
    /// <summary>The path trimmed of slashes; an invalid path is an ArgumentException naming it.</summary>
    public static string Check(string path, string parameter = "path")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path, parameter);
        var trimmed = path.Trim('/');
        if (trimmed.Length == 0 || trimmed.Contains('\\', StringComparison.Ordinal) || trimmed.Split('/').Any(s => s.Length == 0 || s is "." or ".."))
        {
            throw new ArgumentException($"The artifact path '{path}' is not a relative path of plain segments.", parameter);
        }

        return trimmed;
    }
}

namespace PrefSuite.Data;

/// <summary>Input that does not follow its format, located by file, line and field so the user can fix it.</summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string file, int line, string? field, string problem)
        : base(Describe(file, line, field, problem))
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    public DataFormatException()
        : this("(unknown)", 0, null, "The input is malformed.")
    {
    }

    public DataFormatException(string message)
        : this("(unknown)", 0, null, message)
    {
    }

    public DataFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "(unknown)";
        Problem = message;
    }

    public string File { get; }

    /// <summary>1-based line number; 0 when the problem is not tied to a line.</summary>
    public int Line { get; }

    /// <summary>The JSON path or column of the offending field, when there is one.</summary>
    public string? Field { get; }

    public string Problem { get; }

    private static string Describe(string file, int line, string? field, string problem)
    {
        var where = line > 0 ? $"{file}, line {line}" : file;
        return field is null ? $"{where}: {problem}" : $"{where}, field '{field}': {problem}";
    }
}

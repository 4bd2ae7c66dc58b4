using PrefSuite.Data.Rows;

namespace PrefSuite.Data;

/// <summary>
/// Input that does not follow its format, located by file, row (a JSONL line, or a Parquet row group and row) and
/// field so the user can fix it.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string file, int line, string? field, string problem)
        : this(file, line > 0 ? RowLocation.OfLine(line) : null, field, problem)
    {
    }

    public DataFormatException(string file, RowLocation? location, string? field, string problem)
        : base(Describe(file, location, field, problem))
    {
        File = file;
        Location = location;
        Line = location is { IsParquet: false } at ? (int)Math.Min(at.Line, int.MaxValue) : 0;
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

    /// <summary>1-based line number of a JSONL row; 0 when the problem is not tied to a line.</summary>
    public int Line { get; }

    /// <summary>The row, when the problem is tied to one: a JSONL line or a Parquet row group and row.</summary>
    public RowLocation? Location { get; }

    /// <summary>The JSON path or column of the offending field, when there is one.</summary>
    public string? Field { get; }

    public string Problem { get; }

    private static string Describe(string file, RowLocation? location, string? field, string problem)
    {
        var where = location is { } at ? $"{file}, {at}" : file;
        return field is null ? $"{where}: {problem}" : $"{where}, field '{field}': {problem}";
    }
}

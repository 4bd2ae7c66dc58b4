using System.Globalization;

namespace PrefSuite.Data.Rows;

/// <summary>Where a row of a dataset file is: a JSONL line (1-based), or a Parquet row group and row (0-based, as datasets index them).</summary>
public readonly record struct RowLocation
{
    private RowLocation(long line, int rowGroup, long rowInGroup, long row)
    {
        Line = line;
        RowGroup = rowGroup;
        RowInGroup = rowInGroup;
        Row = row;
    }

    /// <summary>The 1-based line of a JSONL row; 0 for Parquet rows.</summary>
    public long Line { get; }

    /// <summary>The 0-based row group of a Parquet row; −1 for JSONL rows.</summary>
    public int RowGroup { get; }

    public long RowInGroup { get; }

    /// <summary>The 0-based row of the whole Parquet file (the index Hugging Face datasets shows).</summary>
    public long Row { get; }

    public bool IsParquet => RowGroup >= 0;

    public static RowLocation OfLine(long line) => new(line, -1, -1, -1);

    public static RowLocation OfParquet(int rowGroup, long rowInGroup, long row) => new(0, rowGroup, rowInGroup, row);

    public override string ToString() => IsParquet
        ? string.Create(CultureInfo.InvariantCulture, $"row {Row} (row group {RowGroup}, row {RowInGroup})")
        : string.Create(CultureInfo.InvariantCulture, $"line {Line}");
}

using System.Globalization;
using System.Text;
using PrefSuite.Data.Files;
using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Data.Matrices;

/// <summary>Matrices as CSV: one row per line, comma-separated numbers, no header. An empty cell or NaN marks a missing entry.</summary>
public static class MatrixCsv
{
    /// <summary>Reads a matrix; missing cells (empty or NaN) come back as NaN and must be masked by the caller.</summary>
    public static async Task<DenseMatrix> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var rows = await ReadCellsAsync(path, cancellationToken).ConfigureAwait(false);
        var values = new double[rows.Count][];
        for (var i = 0; i < rows.Count; i++)
        {
            values[i] = new double[rows[i].Cells.Length];
            for (var j = 0; j < rows[i].Cells.Length; j++)
            {
                var cell = rows[i].Cells[j].Trim();
                if (cell.Length == 0 || cell.Equals("nan", StringComparison.OrdinalIgnoreCase))
                {
                    values[i][j] = double.NaN;
                }
                else if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i][j]))
                {
                    throw new DataFormatException(path, rows[i].Line, $"column {j + 1}", $"'{cell}' is not a number");
                }
            }
        }

        return DenseMatrix.FromRows(values);
    }

    /// <summary>Reads a mask: 1 (or true) where the entry is observed, 0 (or false) where it is missing.</summary>
    public static async Task<bool[]> ReadMaskAsync(string path, int rowsExpected, int columnsExpected, CancellationToken cancellationToken = default)
    {
        var rows = await ReadCellsAsync(path, cancellationToken).ConfigureAwait(false);
        if (rows.Count != rowsExpected || rows[0].Cells.Length != columnsExpected)
        {
            throw new DataFormatException(path, 0, null, $"the mask is {rows.Count}×{rows[0].Cells.Length}; the matrix is {rowsExpected}×{columnsExpected}");
        }

        var mask = new bool[rowsExpected * columnsExpected];
        for (var i = 0; i < rows.Count; i++)
        {
            for (var j = 0; j < columnsExpected; j++)
            {
                mask[(i * columnsExpected) + j] = rows[i].Cells[j].Trim().ToLowerInvariant() switch
                {
                    "1" or "true" => true,
                    "0" or "false" => false,
                    var other => throw new DataFormatException(path, rows[i].Line, $"column {j + 1}", $"'{other}' is not 1 or 0"),
                };
            }
        }

        return mask;
    }

    public static Task WriteAsync(string path, DenseMatrix matrix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var text = new StringBuilder();
        for (var i = 0; i < matrix.Rows; i++)
        {
            var row = matrix.Row(i);
            for (var j = 0; j < row.Length; j++)
            {
                text.Append(j == 0 ? string.Empty : ",").Append(row[j].ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        return AtomicFile.WriteAllTextAsync(path, text.ToString(), cancellationToken);
    }

    private static async Task<List<(int Line, string[] Cells)>> ReadCellsAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, 0, null, "the file does not exist");
        }

        var rows = new List<(int, string[])>();
        var lineNumber = 0;
        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var cells = line.Split(',');
            if (rows.Count > 0 && cells.Length != rows[0].Item2.Length)
            {
                throw new DataFormatException(path, lineNumber, null, $"the row has {cells.Length} columns; the first row has {rows[0].Item2.Length}");
            }

            rows.Add((lineNumber, cells));
        }

        return rows.Count == 0 ? throw new DataFormatException(path, 0, null, "the file holds no matrix rows") : rows;
    }
}

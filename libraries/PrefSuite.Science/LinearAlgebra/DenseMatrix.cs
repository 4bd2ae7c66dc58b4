using System.Runtime.CompilerServices;

namespace PrefSuite.Science.LinearAlgebra;

/// <summary>A dense row-major matrix of doubles.</summary>
public sealed class DenseMatrix
{
    public DenseMatrix(int rows, int columns)
        : this(rows, columns, new double[checked(rows * columns)])
    {
    }

    public DenseMatrix(int rows, int columns, double[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != rows * columns)
        {
            throw new ArgumentException($"{data.Length} values do not fill a {rows}×{columns} matrix.", nameof(data));
        }

        Rows = rows;
        Columns = columns;
        Data = data;
    }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>The values, row after row.</summary>
    public double[] Data { get; }

    public bool IsSquare => Rows == Columns;

    public double this[int row, int column]
    {
        get => Data[(row * Columns) + column];
        set => Data[(row * Columns) + column] = value;
    }

    public Span<double> Row(int row) => Data.AsSpan(row * Columns, Columns);

    public DenseMatrix Clone() => new(Rows, Columns, (double[])Data.Clone());

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public DenseMatrix Transpose()
    {
        var result = new DenseMatrix(Columns, Rows);
        for (var i = 0; i < Rows; i++)
        {
            for (var j = 0; j < Columns; j++)
            {
                result.Data[(j * Rows) + i] = Data[(i * Columns) + j];
            }
        }

        return result;
    }

    public static DenseMatrix FromRows(double[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var columns = rows.Length == 0 ? 0 : rows[0].Length;
        var matrix = new DenseMatrix(rows.Length, columns);
        for (var i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != columns)
            {
                throw new ArgumentException($"Row {i} has {rows[i].Length} values; row 0 has {columns}.", nameof(rows));
            }

            rows[i].CopyTo(matrix.Row(i));
        }

        return matrix;
    }

    /// <summary>The Frobenius norm.</summary>
    public double FrobeniusNorm() => Math.Sqrt(VectorOps.Dot(Data, Data));

    /// <summary>The largest absolute entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double MaxAbs()
    {
        var max = 0.0;
        foreach (var v in Data)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }
}

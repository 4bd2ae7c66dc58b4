using PrefSuite.Data.Matrices;
using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Data.Tests.Matrices;

public class MatrixCsvTests
{
    [Fact]
    public async Task RoundTripsExactly()
    {
        using var dir = new TempFolder();
        var m = DenseMatrix.FromRows([[0.1, -2.5e-9], [1.0 / 3.0, 4]]);
        await MatrixCsv.WriteAsync(dir.File("m.csv"), m);
        var back = await MatrixCsv.ReadAsync(dir.File("m.csv"));
        Assert.Equal(m.Data, back.Data);
    }

    [Fact]
    public async Task EmptyAndNaNCellsAreMissing()
    {
        using var dir = new TempFolder();
        var m = await MatrixCsv.ReadAsync(dir.Write("m.csv", "1,,3\nNaN,5,6\n"));
        Assert.True(double.IsNaN(m[0, 1]));
        Assert.True(double.IsNaN(m[1, 0]));
    }

    [Fact]
    public async Task RaggedRowsAndWordsAreErrorsNamingTheLine()
    {
        using var dir = new TempFolder();
        var ragged = await Assert.ThrowsAsync<DataFormatException>(() => MatrixCsv.ReadAsync(dir.Write("r.csv", "1,2\n3\n")));
        Assert.Equal(2, ragged.Line);
        var word = await Assert.ThrowsAsync<DataFormatException>(() => MatrixCsv.ReadAsync(dir.Write("w.csv", "1,2\n3,x\n")));
        Assert.Equal(("column 2", 2), (word.Field, word.Line));
        var mask = await Assert.ThrowsAsync<DataFormatException>(() => MatrixCsv.ReadMaskAsync(dir.Write("k.csv", "1,0\n"), 2, 2));
        Assert.Contains("1×2", mask.Message, StringComparison.Ordinal);
    }
}

using PrefSuite.Data.Files;

namespace PrefSuite.Data.Tests.Files;

public class AtomicFileTests
{
    [Fact]
    public async Task AFailedWriteLeavesTheOldFileAndNoTemporaryFile()
    {
        using var dir = new TempFolder();
        var path = dir.Write("out.jsonl", "old\n");
        await Assert.ThrowsAsync<InvalidOperationException>(() => AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync("partial"u8.ToArray(), ct);
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal("old\n", await File.ReadAllTextAsync(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task ASuccessfulWriteReplacesTheFile()
    {
        using var dir = new TempFolder();
        var path = dir.Write("out.txt", "old");
        await AtomicFile.WriteAllTextAsync(path, "new");
        Assert.Equal("new", await File.ReadAllTextAsync(path));
    }
}

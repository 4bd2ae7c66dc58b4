namespace PrefSuite.Data.Files;

/// <summary>Temporary files for data that does not fit in memory: unlinked at once where the system allows it.</summary>
internal static class ScratchFile
{
    /// <summary>
    /// A new read-write file in <paramref name="folder"/> (default: the system's temporary folder), deleted on close and,
    /// off Windows, unlinked at once: the open handle keeps the data, and a killed process leaves nothing behind.
    /// </summary>
    public static FileStream Create(string? folder, string kind)
    {
        var directory = folder ?? Path.GetTempPath();
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $".prefsuite-{kind}.{Guid.NewGuid():N}.spill");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        if (!OperatingSystem.IsWindows())
        {
            File.Delete(path);
        }

        return file;
    }
}

namespace PrefSuite.Cli.Native;

/// <summary>Which command lines this build runs itself: the dataset commands over files.</summary>
internal static class NativeCommands
{
    public static readonly string[] Names = ["import", "select", "augment", "export"];

    /// <summary>
    /// True for <c>import</c>, <c>select</c>, <c>augment</c> and <c>export</c> of a file. <c>export --run</c> reads a run's
    /// folder through the artifact store, which only the full build has, and so may a response file (<c>@FILE</c>); an
    /// <c>export</c> without <c>--input</c>, or asking for help, is the full build's too, whose <c>export</c> has both.
    /// </summary>
    public static bool Handles(string[] args) =>
        args.Length > 0 && Names.Contains(args[0], StringComparer.Ordinal) && !ExportsARun(args) && !ExportsNoFile(args);

    /// <summary>What in <paramref name="args"/> only the full build has (a command, or <c>export --run</c>); null for none, such as <c>--help</c>.</summary>
    public static string? OnlyInFullBuild(string[] args) =>
        args.Length == 0 || args[0].StartsWith('-') ? null
        : ExportsARun(args) ? "export --run"
        : Names.Contains(args[0], StringComparer.Ordinal) ? null
        : args[0];

    private static bool ExportsARun(string[] args) =>
        args[0] == "export" && args.Skip(1).Any(a => a.StartsWith('@') || IsOption(a, "--run") || IsOption(a, "--runs-dir"));

    /// <summary><c>export</c> asking for help, or without <c>--input</c>: the full build's help and message name <c>--run</c> too.</summary>
    private static bool ExportsNoFile(string[] args) =>
        args[0] == "export" && (args.Skip(1).Any(a => a is "-h" or "--help" or "-?") || !args.Skip(1).Any(a => IsOption(a, "--input") || IsOption(a, "-i")));

    /// <summary><paramref name="arg"/> is <paramref name="name"/>, or it with its value after '=' or ':'.</summary>
    private static bool IsOption(string arg, string name) =>
        arg.StartsWith(name, StringComparison.Ordinal) && (arg.Length == name.Length || arg[name.Length] is '=' or ':');
}

namespace PrefSuite.Models.HuggingFace;

/// <summary>A checkpoint folder or file that cannot be used; the message names the file and the field.</summary>
public sealed class CheckpointException : IOException
{
    public CheckpointException(string file, string field, string problem)
        : base($"{file}: {field}: {problem}")
    {
        File = file;
        Field = field;
    }

    public CheckpointException()
    {
    }

    public CheckpointException(string message)
        : base(message)
    {
    }

    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The file at fault.</summary>
    public string File { get; } = string.Empty;

    /// <summary>The field, tensor or key at fault.</summary>
    public string Field { get; } = string.Empty;
}

namespace PrefSuite.Workflow;

/// <summary>A request or message that can never succeed as given: hosts answer InvalidArgument and dead-letter it at once.</summary>
public sealed class InvalidRequestException : Exception
{
    public InvalidRequestException(string field, string problem)
        : base($"{field}: {problem}")
    {
        Field = field;
    }

    public InvalidRequestException()
        : base("The request is invalid.")
    {
        Field = string.Empty;
    }

    public InvalidRequestException(string message)
        : base(message)
    {
        Field = string.Empty;
    }

    public InvalidRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = string.Empty;
    }

    /// <summary>The offending field, as named in the protos (e.g. "sampling.n").</summary>
    public string Field { get; }
}

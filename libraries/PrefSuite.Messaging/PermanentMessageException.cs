namespace PrefSuite.Messaging;

/// <summary>A message that no retry can fix (unknown type, unreadable body): it is dead-lettered at once.</summary>
public sealed class PermanentMessageException : Exception
{
    public PermanentMessageException(string message)
        : base(message)
    {
    }

    public PermanentMessageException()
    {
    }

    public PermanentMessageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace PrefSuite.Messaging;

/// <summary>
/// Closes a connection or channel, waiting at most <see cref="Wait"/> for the broker's answer. A blocked broker reads
/// nothing until its alarm clears, and the client would then wait 20–30 s for the close and as long again for its
/// dispose: past the wait the dispose is left to finish in the background.
/// </summary>
internal static class BoundedClose
{
    /// <summary>How long closing waits for the broker's answer.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    /// <summary>True when the broker answered and the resource is disposed; false when it is left to the background.</summary>
    public static async Task<bool> CloseAsync(Func<Task> close, IDisposable resource)
    {
        try
        {
            await close().WaitAsync(Wait).ConfigureAwait(false);
        }
        catch (Exception error) when (error is TimeoutException or OperationCanceledException)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    resource.Dispose();
                }
                catch (Exception)
                {
                    // Nobody waits for it: it did not answer, and need not now.
                }
            });
            return false;
        }

        resource.Dispose();
        return true;
    }
}

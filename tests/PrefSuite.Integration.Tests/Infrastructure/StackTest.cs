namespace PrefSuite.Integration.Tests.Infrastructure;

/// <summary>
/// A test class over the whole stack: before each test the shared servers' queues are emptied and the six services
/// start over them; after it they stop.
/// </summary>
public abstract class StackTest(Servers servers) : IAsyncLifetime
{
    private Stack? _stack;

    protected Stack Stack => _stack ?? throw new InvalidOperationException("The stack starts in InitializeAsync.");

    public async Task InitializeAsync()
    {
        await servers.ResetQueuesAsync();
        _stack = await Stack.StartAsync(servers);
    }

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}

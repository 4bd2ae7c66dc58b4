using System.Threading.Tasks.Sources;

namespace PrefSuite.Data.Rows;

/// <summary>
/// One piece of work at a time run on the thread pool and awaited, by an object that is used again for the next: a
/// stream of chunks parsed or formatted this way allocates nothing per chunk (a task, a closure and a delegate each, it
/// was the data path's only garbage that grew with the file, and it raised peak memory with the length of the run).
/// </summary>
internal sealed class PooledWork<TIn, TOut> : IThreadPoolWorkItem, IValueTaskSource<TOut>
    where TIn : class
{
    private readonly Func<TIn, TOut> _work;

    // Continuations run on the thread that finished the work: queueing them would allocate.
    private ManualResetValueTaskSourceCore<TOut> _core;
    private TIn? _input;

    public PooledWork(Func<TIn, TOut> work) => _work = work;

    /// <summary>The result of the work last started, awaited once, before the next <see cref="Start"/>.</summary>
    public ValueTask<TOut> Result => new(this, _core.Version);

    /// <summary>Queues the work on <paramref name="input"/>.</summary>
    public void Start(TIn input)
    {
        _core.Reset();
        _input = input;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        var input = _input!;
        _input = null;
        TOut result;
        try
        {
            result = _work(input);
        }
        catch (Exception error)
        {
            _core.SetException(error);
            return;
        }

        _core.SetResult(result);
    }

    TOut IValueTaskSource<TOut>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<TOut>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<TOut>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

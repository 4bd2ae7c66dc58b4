using PrefSuite.Contracts.V1;
using PrefSuite.Storage;

namespace PrefSuite.Workflow;

/// <summary>
/// A run's stored prompts read forward, one at a time, as the fan-out reaches them: the pipeline keeps prompt ids in
/// memory, not a million prompts' texts. Asking for an earlier prompt (a new dispatch pass) starts the file again; a
/// failed read drops the reader so the next call starts afresh.
/// </summary>
public sealed class PromptCursor(IArtifactStore store, string path) : IAsyncDisposable
{
    private IAsyncEnumerator<Prompt>? _reader;
    private int _position = -1;

    /// <summary>The prompt at <paramref name="index"/> in the stored order.</summary>
    public async ValueTask<Prompt> AtAsync(int index, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        try
        {
            if (_reader is null || index < _position)
            {
                await DropAsync().ConfigureAwait(false);
                _reader = StoredRunSpec.ReadPromptsAsync(store, path, cancellationToken).GetAsyncEnumerator(cancellationToken);
            }

            while (_position < index)
            {
                if (!await _reader.MoveNextAsync().ConfigureAwait(false))
                {
                    throw new InvalidDataException($"{path} ends after {_position + 1} prompts; prompt {index} was asked for.");
                }

                _position++;
            }

            return _reader.Current;
        }
        catch
        {
            await DropAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => DropAsync();

    private async ValueTask DropAsync()
    {
        if (_reader is not null)
        {
            var reader = _reader;
            _reader = null;
            _position = -1;
            await reader.DisposeAsync().ConfigureAwait(false);
        }
    }
}

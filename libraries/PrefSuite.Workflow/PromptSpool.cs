using Google.Protobuf;
using PrefSuite.Contracts.V1;

namespace PrefSuite.Workflow;

/// <summary>
/// A streamed submission's prompts, spooled as they arrive to a temporary file that is deleted when the spool is
/// disposed, so that accepting the run can read them again, in order, as often as it needs (to check, store and index
/// them) without holding a million prompts in memory.
/// </summary>
public sealed class PromptSpool : IDisposable
{
    private readonly FileStream _file;
    private readonly CodedOutputStream _output;
    private readonly int _maxPrompts;
    private bool _reading;

    /// <param name="maxPrompts">More prompts than this are refused as they arrive, before they fill the disk.</param>
    /// <param name="directory">Where the file goes; the system's temporary folder by default.</param>
    public PromptSpool(int maxPrompts, string? directory = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPrompts);
        _maxPrompts = maxPrompts;
        var path = Path.Combine(directory ?? Path.GetTempPath(), $"prefsuite-prompts-{Guid.NewGuid():N}.pb");
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        _output = new CodedOutputStream(_file, leaveOpen: true);
    }

    /// <summary>Prompts spooled so far.</summary>
    public int Count { get; private set; }

    public void Add(Prompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (_reading)
        {
            throw new InvalidOperationException("The spool is being read; no more prompts may be added.");
        }

        if (Count == _maxPrompts)
        {
            throw new InvalidRequestException("prompts", $"has more than {_maxPrompts} prompts; at most {_maxPrompts} per run");
        }

        _output.WriteMessage(prompt);
        Count++;
    }

    /// <summary>The prompts in the order they were added. One reading at a time; none may be added after the first.</summary>
    public IEnumerable<Prompt> Read()
    {
        if (!_reading)
        {
            _output.Flush();
            _reading = true;
        }

        return ReadFromStart();
    }

    private IEnumerable<Prompt> ReadFromStart()
    {
        _file.Position = 0;
        using var input = new CodedInputStream(_file, leaveOpen: true);
        for (var i = 0; i < Count; i++)
        {
            var prompt = new Prompt();
            input.ReadMessage(prompt);
            yield return prompt;
        }
    }

    public void Dispose()
    {
        _output.Dispose();
        _file.Dispose();
    }
}

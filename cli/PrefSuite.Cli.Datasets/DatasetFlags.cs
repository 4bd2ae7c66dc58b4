using System.CommandLine;
using PrefSuite.Data.Formats;

namespace PrefSuite.Cli.Commands;

/// <summary>
/// The options every command that reads a dataset shares: column names for layouts PrefSuite does not know (as
/// OpenRLHF's --prompt_key and TRL users expect) and --strict. Files are JSONL or Parquet, told apart by content.
/// </summary>
internal sealed class DatasetFlags
{
    private readonly Option<string?> _promptKey = new("--prompt-key") { Description = "The prompt column (a string or a list of {role, content} messages)." };
    private readonly Option<string?> _responsesKey = new("--responses-key") { Description = "The column with the list of responses (strings, or objects with a text and a score field)." };
    private readonly Option<string?> _scoreKey = new("--score-key") { Description = "The score: a field of each response object, or a list of numbers beside a list of response strings." };
    private readonly Option<string?> _textKey = new("--text-key") { Description = "The text field of each response object (default: text, response, completion, content, output or generation)." };
    private readonly Option<string?> _idKey = new("--id-key") { Description = "The prompt id column (default prompt_id; without one, the SHA-256 of the prompt)." };
    private readonly Option<bool> _strict = new("--strict") { Description = "Refuse fields the format does not use (by default they are ignored and listed in a note)." };

    /// <summary>Adds the column options (all of them, or only the prompt and id keys for prompt-only readers) and --strict.</summary>
    public DatasetFlags AddTo(Command command, bool promptsOnly = false)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(_promptKey);
        if (!promptsOnly)
        {
            command.Options.Add(_responsesKey);
            command.Options.Add(_scoreKey);
            command.Options.Add(_textKey);
        }

        command.Options.Add(_idKey);
        command.Options.Add(_strict);
        return this;
    }

    public bool Strict(ParseResult parse) => parse.GetValue(_strict);

    public ColumnMapping Mapping(ParseResult parse) => new()
    {
        PromptKey = parse.GetValue(_promptKey),
        ResponsesKey = parse.GetValue(_responsesKey),
        ScoreKey = parse.GetValue(_scoreKey),
        TextKey = parse.GetValue(_textKey),
        IdKey = parse.GetValue(_idKey),
    };

    public PromptReadOptions Prompts(ParseResult parse, FieldNotes notes) => new()
    {
        PromptKey = parse.GetValue(_promptKey),
        IdKey = parse.GetValue(_idKey),
        Strict = parse.GetValue(_strict),
        Notes = notes,
    };

    /// <summary>Prints what the reader ignored, if anything.</summary>
    public static async Task NoteAsync(TextWriter stderr, FieldNotes notes, string file)
    {
        if (notes.Describe(file) is { } note)
        {
            await stderr.WriteLineAsync(note).ConfigureAwait(false);
        }
    }
}

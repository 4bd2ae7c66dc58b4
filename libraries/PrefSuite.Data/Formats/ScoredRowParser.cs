using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PrefSuite.Data.Rows;

namespace PrefSuite.Data.Formats;

/// <summary>A slice of a row's bytes: a raw JSON token (a string with its quotes, or an array).</summary>
internal readonly record struct ByteRange(int Start, int Length)
{
    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> row) => row.Slice(Start, Length);
}

/// <summary>
/// One row as selection sees it: numbers per response and where the texts are in the row's bytes — no strings.
/// Reused row after row by one parser.
/// </summary>
internal sealed class ParsedRow
{
    public int Count { get; set; }

    /// <summary>The score column per response; NaN when the response has none.</summary>
    public double[] Rewards { get; private set; } = new double[16];

    public double[] Implicit { get; private set; } = new double[16];

    public double[] Logprobs { get; private set; } = new double[16];

    public double[] Denoised { get; private set; } = new double[16];

    /// <summary>Each response's position in the dataset's list (they differ once unrated responses are dropped).</summary>
    public int[] OriginalIndex { get; private set; } = new int[16];

    /// <summary>Each response's text as a raw JSON string token.</summary>
    public ByteRange[] Texts { get; private set; } = new ByteRange[16];

    /// <summary>Each response's heads object ("rewards", or UltraFeedback's "annotations"); empty when none.</summary>
    public ByteRange[] Heads { get; private set; } = new ByteRange[16];

    public bool AnyImplicit { get; set; }

    public bool AllImplicit { get; set; }

    public bool AnyDenoised { get; set; }

    public ByteRange Prompt { get; set; }

    public bool PromptIsMessages { get; set; }

    /// <summary>The prompt is a conversation cut before its last assistant turn: its bytes need a closing ']'.</summary>
    public bool PromptNeedsClose { get; set; }

    /// <summary>The id as a raw JSON string token in the row; empty when the id is the prompt's hash.</summary>
    public ByteRange Id { get; set; }

    /// <summary>"\"" + SHA-256 hex + "\"" when the row has no id.</summary>
    public byte[] HashId { get; } = new byte[66];

    public bool IdIsHash { get; set; }

    public int Unrated { get; set; }

    public RowLocation Location { get; set; }

    /// <summary>The reward selection uses: the denoised one when denoising ran, else the score.</summary>
    public double SelectionReward(int i) => double.IsNaN(Denoised[i]) ? Rewards[i] : Denoised[i];

    public void Reset()
    {
        Count = 0;
        AnyImplicit = false;
        AllImplicit = true;
        AnyDenoised = false;
        Prompt = default;
        PromptIsMessages = false;
        PromptNeedsClose = false;
        Id = default;
        IdIsHash = false;
        Unrated = 0;
    }

    /// <summary>Room for one more response; returns its slot.</summary>
    public int Add()
    {
        if (Count == Rewards.Length)
        {
            var size = Count * 2;
            Rewards = Grow(Rewards, size);
            Implicit = Grow(Implicit, size);
            Logprobs = Grow(Logprobs, size);
            Denoised = Grow(Denoised, size);
            OriginalIndex = Grow(OriginalIndex, size);
            Texts = Grow(Texts, size);
            Heads = Grow(Heads, size);
        }

        var slot = Count++;
        Rewards[slot] = double.NaN;
        Implicit[slot] = double.NaN;
        Logprobs[slot] = double.NaN;
        Denoised[slot] = double.NaN;
        OriginalIndex[slot] = slot;
        Texts[slot] = default;
        Heads[slot] = default;
        return slot;
    }

    /// <summary>Drops the responses without a score (keeping their original positions for the output).</summary>
    public void DropUnrated()
    {
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            if (double.IsNaN(Rewards[i]))
            {
                continue;
            }

            Rewards[kept] = Rewards[i];
            Implicit[kept] = Implicit[i];
            Logprobs[kept] = Logprobs[i];
            Denoised[kept] = Denoised[i];
            OriginalIndex[kept] = OriginalIndex[i];
            Texts[kept] = Texts[i];
            Heads[kept] = Heads[i];
            kept++;
        }

        Unrated = Count - kept;
        Count = kept;
    }

    private static T[] Grow<T>(T[] array, int size)
    {
        var larger = new T[size];
        array.CopyTo(larger, 0);
        return larger;
    }
}

/// <summary>
/// Parses rows of any scored-prompt layout with a <see cref="Utf8JsonReader"/> straight from UTF-8: texts stay as
/// byte ranges of the row, only numbers are decoded. One instance per thread; errors name file, row and field.
/// </summary>
internal sealed class ScoredRowParser(RowLayout layout, ScoredReadOptions options, string file)
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };
    private readonly List<byte[]> _noted = [];

    /// <summary>
    /// Names of fields the format knows and does not use, top-level and in responses: passed silently, and kept from
    /// chunk to chunk (a parser is reused).
    /// </summary>
    private readonly List<byte[]> _knownTop = [];
    private readonly List<byte[]> _knownResponse = [];
    private readonly List<(string Field, RowLocation Location)> _ignored = [];
    private readonly List<(byte[] Name, FieldAction Action, int Rank)> _responseFields = [];
    private int _nextField;
    private double[] _parallel = new double[16];
    private byte[] _scratch = new byte[256];
    private readonly ArrayBufferWriter<byte> _hashText = new(1024);
    private int _parallelCount = -1;
    private bool _responsesAreStrings;
    private bool _sawResponses;
    private bool _sawChosen;
    private bool _sawRejected;
    private RowLocation _location;

    public RowLayout Layout => layout;

    public ParsedRow Row { get; } = new();

    /// <summary>Fields ignored so far (each name once per parser), in order of first appearance.</summary>
    public IReadOnlyList<(string Field, RowLocation Location)> Ignored => _ignored;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ParsedRow Parse(ReadOnlySpan<byte> json, RowLocation location)
    {
        _location = location;
        var row = Row;
        row.Reset();
        row.Location = location;
        _parallelCount = -1;
        _responsesAreStrings = false;
        _sawResponses = false;
        _sawChosen = false;
        _sawRejected = false;
        var scoreChosen = double.NaN;
        var scoreRejected = double.NaN;
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Fail(null, $"expected a JSON object, found {Describe(reader.TokenType)}");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref reader);
                reader.Read();
                if (layout.Prompt.Matches(name))
                {
                    ReadPrompt(ref reader, json);
                }
                else if (layout.Id is { } id && id.Matches(name))
                {
                    ReadId(ref reader);
                }
                else if (layout.IsPair)
                {
                    if (layout.Chosen.Matches(name))
                    {
                        _sawChosen = true;
                        ReadPairResponse(ref reader, json, 0, layout.Chosen.Name);
                    }
                    else if (layout.Rejected.Matches(name))
                    {
                        _sawRejected = true;
                        ReadPairResponse(ref reader, json, 1, layout.Rejected.Name);
                    }
                    else if (layout.ScoreChosen.Matches(name))
                    {
                        scoreChosen = ReadNumber(ref reader, layout.ScoreChosen.Name);
                    }
                    else if (layout.ScoreRejected.Matches(name))
                    {
                        scoreRejected = ReadNumber(ref reader, layout.ScoreRejected.Name);
                    }
                    else
                    {
                        Unknown(ref reader, name, layout.KnownTop, prefix: null);
                    }
                }
                else if (layout.Responses.Matches(name))
                {
                    ReadResponses(ref reader, json);
                }
                else if (layout.ParallelScores is { } parallel && parallel.Matches(name))
                {
                    ReadParallel(ref reader, parallel.Name);
                }
                else
                {
                    Unknown(ref reader, name, layout.KnownTop, prefix: null);
                }
            }

            if (reader.Read())
            {
                throw Fail(null, "has more than one JSON value");
            }
        }
        catch (JsonException error)
        {
            var line = Encoding.UTF8.GetString(json);
            var hint = line.Contains("NaN", StringComparison.Ordinal) || line.Contains("Infinity", StringComparison.Ordinal)
                ? " (NaN and Infinity are not JSON numbers; a reward must be a finite number)"
                : string.Empty;
            var reason = error.Message.Split(" LineNumber:", 2)[0].TrimEnd('.');
            throw Fail(null, $"not valid JSON at character {error.BytePositionInLine + 1}: {reason}{hint}");
        }

        Finish(json, scoreChosen, scoreRejected);
        return row;
    }

    /// <summary>
    /// Records (or, under --strict, refuses) the fields this parser ignored into <paramref name="notes"/>, and forgets
    /// them: the parser is ready for the next chunk.
    /// </summary>
    public void Report(FieldNotes? notes)
    {
        if (notes is not null)
        {
            foreach (var (field, where) in _ignored)
            {
                notes.Ignore(field, where);
            }
        }

        _ignored.Clear();
        _noted.Clear();
    }

    public DataFormatException Fail(string? field, string problem) => new(file, _location, field, problem);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Finish(ReadOnlySpan<byte> json, double scoreChosen, double scoreRejected)
    {
        var row = Row;
        if (row.Prompt.Length == 0)
        {
            if (layout.IsPair && _sawChosen)
            {
                throw Fail(layout.Prompt.Name, "is missing, and the chosen response is not a conversation to take the prompt from");
            }

            throw Fail(layout.Prompt.Name, "is missing" + IgnoredHint());
        }

        if (layout.IsPair)
        {
            if (!_sawChosen || !_sawRejected)
            {
                throw Fail(!_sawChosen ? layout.Chosen.Name : layout.Rejected.Name, "is missing" + IgnoredHint());
            }

            row.Rewards[0] = scoreChosen;
            row.Rewards[1] = scoreRejected;
            if (options.RequireRewards && (double.IsNaN(scoreChosen) || double.IsNaN(scoreRejected)))
            {
                throw Fail(double.IsNaN(scoreChosen) ? layout.ScoreChosen.Name : layout.ScoreRejected.Name, "is missing: preference rows need scores to be selected");
            }
        }
        else
        {
            if (!_sawResponses)
            {
                throw Fail(layout.Responses.Name, "is missing" + IgnoredHint());
            }

            if (row.Count == 0)
            {
                throw Fail(layout.Responses.Name, "is empty: a prompt needs scored responses");
            }

            if (layout.ParallelScores is { } parallel && _responsesAreStrings && _parallelCount >= 0)
            {
                if (_parallelCount != row.Count)
                {
                    throw Fail(parallel.Name, $"has {_parallelCount} scores for {row.Count} responses");
                }

                _parallel.AsSpan(0, _parallelCount).CopyTo(row.Rewards);
            }

            for (var i = 0; i < row.Count; i++)
            {
                if (row.Texts[i].Length == 0)
                {
                    row.Rewards[i] = double.NaN;
                }
            }

            if (layout.SkipsUnrated)
            {
                row.DropUnrated();
            }
            else if (options.RequireRewards)
            {
                for (var i = 0; i < row.Count; i++)
                {
                    if (double.IsNaN(row.Rewards[i]))
                    {
                        throw Fail(ScoreField(i), layout.Format == InputFormat.Scored
                            ? "is missing: score the responses first (or give 'rewards' heads to combine)"
                            : "is missing");
                    }
                }
            }
        }

        if (!row.AnyImplicit)
        {
            row.AllImplicit = false;
        }

        if (row.Id.Length == 0)
        {
            HashId(json);
        }
    }

    private string ScoreField(int i) =>
        _responsesAreStrings && layout.ParallelScores is { } parallel ? $"{parallel.Name}[{Row.OriginalIndex[i]}]"
        : $"{layout.Responses.Name}[{Row.OriginalIndex[i]}].{(layout.Scores.Length > 0 ? layout.Scores[0].Name : "score")}";

    private string IgnoredHint() => _ignored.Count == 0 || _ignored[^1].Location != _location
        ? string.Empty
        : $" (the row has {string.Join(", ", _ignored.Where(i => i.Location == _location).Select(i => $"'{i.Field}'"))}, which this format does not use)";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadPrompt(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        var row = Row;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                row.Prompt = StringToken(ref reader);
                row.PromptIsMessages = false;
                row.PromptNeedsClose = false;
                break;
            case JsonTokenType.StartArray:
                row.PromptNeedsClose = false;
                var start = (int)reader.TokenStartIndex;
                var count = ReadMessages(ref reader, layout.Prompt.Name, out _);
                if (count == 0)
                {
                    throw Fail(layout.Prompt.Name, "is an empty list of messages");
                }

                row.Prompt = new ByteRange(start, (int)reader.BytesConsumed - start);
                row.PromptIsMessages = true;
                break;
            case JsonTokenType.Null:
                break;
            default:
                throw Fail(layout.Prompt.Name, $"must be a string or a list of messages, found {Describe(reader.TokenType)}");
        }
    }

    private void ReadId(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                Row.Id = StringToken(ref reader);
                break;
            case JsonTokenType.Null:
                break;
            default:
                throw Fail(layout.Id!.Value.Name, $"must be a string, found {Describe(reader.TokenType)}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadResponses(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        var name = layout.Responses.Name;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail(name, $"must be an array, found {Describe(reader.TokenType)}");
        }

        _sawResponses = true;
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var slot = Row.Add();
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    _responsesAreStrings = true;
                    Row.Texts[slot] = StringToken(ref reader);
                    break;
                case JsonTokenType.StartObject:
                    ReadResponseObject(ref reader, json, slot, index);
                    break;
                case JsonTokenType.StartArray:
                    Row.Texts[slot] = LastAssistant(ref reader, $"{name}[{index}]", out _);
                    _responsesAreStrings = true;
                    break;
                case JsonTokenType.Null when layout.SkipsUnrated:
                    _responsesAreStrings = true; // a failed generation: dropped with its rating below
                    break;
                default:
                    throw Fail($"{name}[{index}]", $"must be a string or an object, found {Describe(reader.TokenType)}");
            }

            index++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadResponseObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, int slot, int index)
    {
        var row = Row;
        var textRank = int.MaxValue;
        var scoreRank = int.MaxValue;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            reader.Read();
            var (action, rank) = Classify(ref reader, name, index);
            switch (action)
            {
                case FieldAction.Text when rank < textRank:
                    textRank = rank;
                    row.Texts[slot] = reader.TokenType switch
                    {
                        JsonTokenType.String => StringToken(ref reader),
                        JsonTokenType.StartArray => LastAssistant(ref reader, $"{layout.Responses.Name}[{index}].{layout.Texts[rank].Name}", out _),
                        JsonTokenType.Null => default,
                        _ => throw Fail($"{layout.Responses.Name}[{index}].{layout.Texts[rank].Name}", $"must be a string, found {Describe(reader.TokenType)}"),
                    };
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        textRank = int.MaxValue;
                    }

                    break;
                case FieldAction.Score:
                    var value = ReadNumber(ref reader, layout.Responses.Name, index, layout.Scores[rank].Name);
                    if (rank < scoreRank && !double.IsNaN(value))
                    {
                        scoreRank = rank;
                        row.Rewards[slot] = value;
                    }

                    break;
                case FieldAction.Heads:
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        row.Heads[slot] = new ByteRange(start, (int)reader.BytesConsumed - start);
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        throw Fail($"{layout.Responses.Name}[{index}].{Encoding.UTF8.GetString(name)}", $"must be an object of numbers, found {Describe(reader.TokenType)}");
                    }

                    break;
                case FieldAction.Implicit:
                    row.Implicit[slot] = ReadNumber(ref reader, layout.Responses.Name, index, "implicit_reward");
                    row.AnyImplicit |= !double.IsNaN(row.Implicit[slot]);
                    break;
                case FieldAction.Logprob:
                    row.Logprobs[slot] = ReadNumber(ref reader, layout.Responses.Name, index, "logprob");
                    break;
                case FieldAction.Denoised:
                    row.Denoised[slot] = ReadNumber(ref reader, layout.Responses.Name, index, "denoised_reward");
                    row.AnyDenoised |= !double.IsNaN(row.Denoised[slot]);
                    break;
                default:
                    reader.Skip(); // a text field of lower preference, or a field the layout does not use (noted when first seen)
                    break;
            }
        }

        if (row.Texts[slot].Length == 0)
        {
            throw Fail($"{layout.Responses.Name}[{index}].{layout.Texts[0].Name}", "is missing" + (layout.Texts.Length > 1 ? $" (looked for {string.Join(", ", layout.Texts.Select(t => t.Name))}; name it with --text-key)" : string.Empty));
        }

        row.AllImplicit &= !double.IsNaN(row.Implicit[slot]);
        if (double.IsNaN(row.Rewards[slot]) && row.Heads[slot].Length > 0 && !layout.AnnotationHeads)
        {
            var heads = ReadHeads(json, row.Heads[slot], $"{layout.Responses.Name}[{index}].rewards");
            try
            {
                row.Rewards[slot] = options.HeadWeights.Combine(heads);
            }
            catch (Exception error) when (error is KeyNotFoundException or ArgumentException)
            {
                throw Fail($"{layout.Responses.Name}[{index}].rewards", error.Message);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadPairResponse(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, int slot, string name)
    {
        var row = Row;
        while (row.Count <= slot)
        {
            row.Add();
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                row.Texts[slot] = StringToken(ref reader);
                break;
            case JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                row.Texts[slot] = LastAssistant(ref reader, name, out var promptEnd);
                if (slot == 0 && row.Prompt.Length == 0 && promptEnd > start + 1)
                {
                    // TRL's implicit prompt: the conversation before the chosen's last assistant turn.
                    row.Prompt = new ByteRange(start, promptEnd - start);
                    row.PromptIsMessages = true;
                    row.PromptNeedsClose = true;
                }

                break;
            default:
                throw Fail(name, $"must be a string or a list of messages, found {Describe(reader.TokenType)}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadParallel(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail(name, $"must be a list of numbers, found {Describe(reader.TokenType)}");
        }

        _parallelCount = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (_parallelCount == _parallel.Length)
            {
                Array.Resize(ref _parallel, _parallel.Length * 2);
            }

            _parallel[_parallelCount] = ReadNumber(ref reader, $"{name}[{_parallelCount}]");
            _parallelCount++;
        }
    }

    /// <summary>Reads a list of {role, content} messages; returns how many, and where the last assistant message starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ReadMessages(ref Utf8JsonReader reader, string field, out int lastAssistant)
    {
        lastAssistant = -1;
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Fail($"{field}[{count}]", $"expected a JSON object, found {Describe(reader.TokenType)}");
            }

            var sawRole = false;
            var sawContent = false;
            var assistant = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref reader);
                reader.Read();
                if (name.SequenceEqual("role"u8))
                {
                    sawRole = reader.TokenType == JsonTokenType.String ? true : throw Fail($"{field}[{count}].role", $"must be a string, found {Describe(reader.TokenType)}");
                    assistant = reader.ValueTextEquals("assistant"u8);
                }
                else if (name.SequenceEqual("content"u8))
                {
                    sawContent = reader.TokenType == JsonTokenType.String ? true : throw Fail($"{field}[{count}].content", $"must be a string, found {Describe(reader.TokenType)}");
                }
                else
                {
                    reader.Skip();
                }
            }

            if (!sawRole || !sawContent)
            {
                throw Fail($"{field}[{count}].{(sawRole ? "content" : "role")}", "is missing");
            }

            if (assistant)
            {
                lastAssistant = count;
            }

            count++;
        }

        return count;
    }

    /// <summary>
    /// A response given as messages: the content of its last assistant turn; <paramref name="promptEnd"/> is where the
    /// messages before that turn end (the implicit prompt), just after the element before it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ByteRange LastAssistant(ref Utf8JsonReader reader, string field, out int promptEnd)
    {
        promptEnd = -1;
        ByteRange content = default;
        var previousEnd = (int)reader.TokenStartIndex + 1;
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Fail($"{field}[{index}]", $"expected a JSON object, found {Describe(reader.TokenType)}");
            }

            var assistant = false;
            ByteRange text = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref reader);
                reader.Read();
                if (name.SequenceEqual("role"u8))
                {
                    assistant = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("assistant"u8);
                }
                else if (name.SequenceEqual("content"u8) && reader.TokenType == JsonTokenType.String)
                {
                    text = StringToken(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (assistant && text.Length > 0)
            {
                content = text;
                promptEnd = previousEnd;
            }

            previousEnd = (int)reader.BytesConsumed;
            index++;
        }

        return content.Length > 0 ? content : throw Fail(field, "has no assistant message");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double ReadNumber(ref Utf8JsonReader reader, string responses, int index, string name) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && double.IsFinite(value)
            ? value
            : ReadNumber(ref reader, $"{responses}[{index}].{name}");

    private double ReadNumber(ref Utf8JsonReader reader, string field)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetDouble(out var value) && double.IsFinite(value)
                    ? value
                    : throw Fail(field, $"{Encoding.UTF8.GetString(reader.ValueSpan)} is not a finite number");
            case JsonTokenType.Null:
                return double.NaN;
            case JsonTokenType.String:
                var text = reader.GetString();
                throw Fail(field, $"must be a number, found a string{(text is "NaN" or "Infinity" or "-Infinity" ? " (NaN and infinities are not valid rewards)" : string.Empty)}");
            default:
                var kind = reader.TokenType;
                reader.Skip();
                throw Fail(field, $"must be a number, found {Describe(kind)}");
        }
    }

    /// <summary>
    /// What a response-object field is for, remembered per name (a dataset repeats the same few names in every row): the
    /// first sighting of a field the layout does not use is noted, or refused under --strict.
    /// </summary>
    private (FieldAction Action, int Rank) Classify(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, int index)
    {
        // Objects of one dataset list their fields in the same order: try the entry after the last match first.
        var fields = _responseFields;
        for (var tried = 0; tried < fields.Count; tried++)
        {
            var at = _nextField + tried < fields.Count ? _nextField + tried : _nextField + tried - fields.Count;
            var (known, knownAction, knownRank) = fields[at];
            if (known.AsSpan().SequenceEqual(name))
            {
                _nextField = at + 1 < fields.Count ? at + 1 : 0;
                return (knownAction, knownRank);
            }
        }

        var text = IndexOf(layout.Texts, name);
        var score = IndexOf(layout.Scores, name);
        var (action, rank) = text >= 0 ? (FieldAction.Text, text)
            : score >= 0 ? (FieldAction.Score, score)
            : RowLayout.Heads.Matches(name) || (layout.AnnotationHeads && RowLayout.Annotations.Matches(name)) ? (FieldAction.Heads, 0)
            : RowLayout.ImplicitReward.Matches(name) ? (FieldAction.Implicit, 0)
            : RowLayout.Logprob.Matches(name) ? (FieldAction.Logprob, 0)
            : RowLayout.DenoisedReward.Matches(name) ? (FieldAction.Denoised, 0)
            : (FieldAction.Other, 0);
        if (action == FieldAction.Other)
        {
            var copy = reader; // noting must not move the caller's reader: it skips the value itself
            Unknown(ref copy, name, layout.KnownResponse, layout.Responses.Name, index);
        }

        if (_responseFields.Count < 64)
        {
            _responseFields.Add((name.ToArray(), action, rank));
        }

        return (action, rank);
    }

    /// <summary>A field the layout does not use: known ones pass silently, others are noted once, or refused under --strict.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Unknown(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, IReadOnlySet<string> known, string? prefix, int index = -1)
    {
        reader.Skip();
        var knownSeen = prefix is null ? _knownTop : _knownResponse;
        foreach (var seen in knownSeen)
        {
            if (seen.AsSpan().SequenceEqual(name))
            {
                return;
            }
        }

        foreach (var noted in _noted)
        {
            if (noted.AsSpan().SequenceEqual(name))
            {
                return;
            }
        }

        var text = Encoding.UTF8.GetString(name);
        if (known.Contains(text))
        {
            knownSeen.Add(name.ToArray());
            return;
        }

        var field = prefix is null ? text : $"{prefix}[].{text}";
        if (options.Strict)
        {
            throw Fail(prefix is null ? text : $"{prefix}[{index}].{text}", $"is not a known field of the {Describe(layout.Format)} format (--strict)");
        }

        _noted.Add(name.ToArray());
        _ignored.Add((field, _location));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void HashId(ReadOnlySpan<byte> json)
    {
        var row = Row;
        var writer = _hashText;
        writer.ResetWrittenCount();
        if (!row.PromptIsMessages)
        {
            var reader = new Utf8JsonReader(row.Prompt.Of(json));
            reader.Read();
            Append(ref reader, writer);
        }
        else
        {
            var span = row.Prompt.Of(json);
            // An implicit prompt lacks its closing bracket: read it as a partial block.
            var reader = new Utf8JsonReader(span, isFinalBlock: false, state: default);
            reader.Read();
            var first = true;
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                ByteRange role = default;
                ByteRange content = default;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isRole = reader.ValueTextEquals("role"u8);
                    var isContent = reader.ValueTextEquals("content"u8);
                    reader.Read();
                    if (isRole)
                    {
                        role = new ByteRange((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);
                    }
                    else if (isContent)
                    {
                        content = new ByteRange((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                if (!first)
                {
                    writer.Write("\n"u8);
                }

                first = false;
                AppendToken(role.Of(span), writer);
                writer.Write(": "u8);
                AppendToken(content.Of(span), writer);
            }
        }

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(writer.WrittenSpan, digest);
        row.HashId[0] = (byte)'"';
        Convert.TryToHexStringLower(digest, row.HashId.AsSpan(1, 64), out _);
        row.HashId[65] = (byte)'"';
        row.IdIsHash = true;
    }

    private static void AppendToken(ReadOnlySpan<byte> token, ArrayBufferWriter<byte> writer)
    {
        var reader = new Utf8JsonReader(token);
        reader.Read();
        Append(ref reader, writer);
    }

    private static void Append(ref Utf8JsonReader reader, ArrayBufferWriter<byte> writer)
    {
        if (!reader.ValueIsEscaped)
        {
            writer.Write(reader.ValueSpan);
            return;
        }

        var span = writer.GetSpan(reader.ValueSpan.Length);
        writer.Advance(reader.CopyString(span));
    }

    /// <summary>Decodes a heads object {"name": number} from the row.</summary>
    public Dictionary<string, double> ReadHeads(ReadOnlySpan<byte> json, ByteRange range, string field)
    {
        var heads = new Dictionary<string, double>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(range.Of(json));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            var value = ReadNumber(ref reader, $"{field}.{name}");
            if (!double.IsNaN(value))
            {
                heads[name] = value;
            }
        }

        return heads;
    }

    private static ByteRange StringToken(ref Utf8JsonReader reader) => new((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2);

    private ReadOnlySpan<byte> Name(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        if (_scratch.Length < reader.ValueSpan.Length)
        {
            _scratch = new byte[reader.ValueSpan.Length];
        }

        return _scratch.AsSpan(0, reader.CopyString(_scratch));
    }

    private static int IndexOf(RowLayout.Key[] keys, ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i].Matches(name))
            {
                return i;
            }
        }

        return -1;
    }

    private enum FieldAction : byte
    {
        Other,
        Text,
        Score,
        Heads,
        Implicit,
        Logprob,
        Denoised,
    }

    internal static string Describe(JsonTokenType kind) => kind switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.None => "nothing",
        _ => kind.ToString(),
    };

    internal static string Describe(InputFormat format) => format switch
    {
        InputFormat.Scored => "scored",
        InputFormat.UltraFeedback => "UltraFeedback",
        InputFormat.UltraFeedbackBinarized => "TRL preference",
        InputFormat.Distilabel => "distilabel",
        _ => "mapped",
    };
}

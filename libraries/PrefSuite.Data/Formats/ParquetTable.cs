using Parquet;
using Parquet.Schema;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>
/// A Parquet file written row group by row group (at most <see cref="RowsPerGroup"/> rows or about 64 MB of text
/// each), so memory holds one group whatever the dataset's size. Every column is optional, as pyarrow writes them;
/// conversations are list&lt;struct&lt;role, content&gt;&gt;, the layout Hugging Face datasets uses for messages.
/// </summary>
internal sealed class ParquetTable : IAsyncDisposable
{
    public const int RowsPerGroup = 10_000;
    private const long BytesPerGroup = 64L << 20;

    private readonly ParquetWriter _writer;
    private readonly ParquetColumn[] _columns;
    private int _rows;
    private long _bytes;

    private ParquetTable(ParquetWriter writer, ParquetColumn[] columns)
    {
        _writer = writer;
        _columns = columns;
    }

    public long RowCount { get; private set; }

    public static async Task<ParquetTable> CreateAsync(Stream stream, IReadOnlyList<ParquetColumn> columns, CancellationToken cancellationToken = default)
    {
        var schema = new ParquetSchema(columns.Select(c => c.Field));
        var writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, append: false, cancellationToken).ConfigureAwait(false);
        return new ParquetTable(writer, [.. columns]);
    }

    /// <summary>Ends the row whose values were just added to every column; writes a row group when one is full.</summary>
    public async ValueTask EndRowAsync(long approximateBytes, CancellationToken cancellationToken = default)
    {
        _rows++;
        RowCount++;
        _bytes += approximateBytes;
        if (_rows >= RowsPerGroup || _bytes >= BytesPerGroup)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_rows > 0 || RowCount == 0)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await _writer.DisposeAsync().ConfigureAwait(false);

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        using var group = _writer.CreateRowGroup();
        foreach (var column in _columns)
        {
            await column.WriteAsync(group, cancellationToken).ConfigureAwait(false);
            column.Clear();
        }

        _rows = 0;
        _bytes = 0;
    }
}

/// <summary>One column's values for the current row group.</summary>
internal abstract class ParquetColumn
{
    public abstract Field Field { get; }

    public abstract Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken);

    public abstract void Clear();
}

internal sealed class StringColumn(string name) : ParquetColumn
{
    private readonly DataField<string> _field = new(name);
    private readonly List<string?> _values = [];

    public override Field Field => _field;

    public void Add(string? value) => _values.Add(value);

    public override Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken) => group.WriteAsync(_field, _values!, null);

    public override void Clear() => _values.Clear();
}

internal sealed class NumberColumn<T>(string name) : ParquetColumn
    where T : struct
{
    private readonly DataField<T?> _field = new(name);
    private readonly List<T?> _values = [];

    public override Field Field => _field;

    public void Add(T? value) => _values.Add(value);

    public override Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken) =>
        group.WriteAsync<T>(_field, _values.ToArray(), null, null, cancellationToken);

    public override void Clear() => _values.Clear();
}

/// <summary>A float column that writes NaN and infinities as nulls, as JSON does.</summary>
internal sealed class FloatColumn(string name) : ParquetColumn
{
    private readonly NumberColumn<double> _inner = new(name);

    public override Field Field => _inner.Field;

    public void Add(double? value) => _inner.Add(value is { } v && double.IsFinite(v) ? v : null);

    public override Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken) => _inner.WriteAsync(group, cancellationToken);

    public override void Clear() => _inner.Clear();
}

/// <summary>A conversation column: list&lt;struct&lt;role: string, content: string&gt;&gt;, striped by hand into its two leaf columns.</summary>
internal sealed class MessagesColumn : ParquetColumn
{
    private readonly DataField<string> _role = new("role");
    private readonly DataField<string> _content = new("content");
    private readonly ListField _field;
    private readonly List<ReadOnlyMemory<char>> _roles = [];
    private readonly List<ReadOnlyMemory<char>> _contents = [];
    private readonly List<int> _definitions = [];
    private readonly List<int> _repetitions = [];

    public MessagesColumn(string name) => _field = new ListField(name, new StructField("element", _role, _content));

    public override Field Field => _field;

    /// <summary>Adds one row's conversation; null is a null cell, an empty list an empty one.</summary>
    public void Add(IReadOnlyList<ChatMessage>? messages)
    {
        // Levels: 0 null list, 1 empty list, 2 null element, 3 element with a null field, 4 a value.
        if (messages is null || messages.Count == 0)
        {
            _definitions.Add(messages is null ? 0 : 1);
            _repetitions.Add(0);
            return;
        }

        for (var i = 0; i < messages.Count; i++)
        {
            _definitions.Add(4);
            _repetitions.Add(i == 0 ? 0 : 1);
            _roles.Add(messages[i].Role.AsMemory());
            _contents.Add(messages[i].Content.AsMemory());
        }
    }

    public override async Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken)
    {
        var definitions = _definitions.ToArray();
        var repetitions = _repetitions.ToArray();
        await group.WriteAllPartsAsync<ReadOnlyMemory<char>>(_role, _roles.ToArray(), definitions, repetitions, cancellationToken).ConfigureAwait(false);
        await group.WriteAllPartsAsync<ReadOnlyMemory<char>>(_content, _contents.ToArray(), definitions, repetitions, cancellationToken).ConfigureAwait(false);
    }

    public override void Clear()
    {
        _roles.Clear();
        _contents.Clear();
        _definitions.Clear();
        _repetitions.Clear();
    }
}

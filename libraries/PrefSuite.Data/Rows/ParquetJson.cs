using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace PrefSuite.Data.Rows;

/// <summary>
/// Reassembles rows of a Parquet row group from its columns' values and repetition/definition levels (the Dremel
/// record assembly) and writes each as a JSON object: lists (with null elements kept in place), structs, maps and
/// nulls as Hugging Face datasets shows them.
/// </summary>
internal sealed class ParquetJson : IDisposable
{
    private readonly IReadOnlyList<Field> _fields;
    private readonly Dictionary<DataField, Leaf> _leaves;

    private ParquetJson(IReadOnlyList<Field> fields, Dictionary<DataField, Leaf> leaves)
    {
        _fields = fields;
        _leaves = leaves;
    }

    /// <summary>Reads the columns under <paramref name="fields"/> of one row group.</summary>
    public static async Task<ParquetJson> ReadAsync(ParquetRowGroupReader group, IReadOnlyList<Field> fields, CancellationToken cancellationToken)
    {
        var leaves = new Dictionary<DataField, Leaf>();
        try
        {
            foreach (var data in fields.SelectMany(DataFieldsUnder))
            {
                leaves[data] = await Leaf.ReadAsync(group, data, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var leaf in leaves.Values)
            {
                leaf.Dispose();
            }

            throw;
        }

        return new ParquetJson(fields, leaves);
    }

    /// <summary>Writes the next row as a JSON object.</summary>
    public void WriteRow(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var field in _fields)
        {
            writer.WritePropertyName(field.Name);
            Write(field, writer);
        }

        writer.WriteEndObject();
    }

    public void Dispose()
    {
        foreach (var leaf in _leaves.Values)
        {
            leaf.Dispose();
        }
    }

    private static IEnumerable<DataField> DataFieldsUnder(Field field) => field switch
    {
        DataField data => [data],
        StructField structure => structure.Fields.SelectMany(DataFieldsUnder),
        ListField list => DataFieldsUnder(list.Item),
        MapField map => DataFieldsUnder(map.Key).Concat(DataFieldsUnder(map.Value)),
        _ => throw new NotSupportedException($"Parquet field '{field.Name}' of kind {field.SchemaType} is not supported."),
    };

    private Leaf First(Field field) => _leaves[DataFieldsUnder(field).First()];

    private void Write(Field field, Utf8JsonWriter writer)
    {
        switch (field)
        {
            case DataField { IsArray: false } data:
            {
                var leaf = _leaves[data];
                if (leaf.Definition == data.MaxDefinitionLevel)
                {
                    leaf.WriteValue(writer);
                }
                else
                {
                    writer.WriteNullValue();
                }

                leaf.Next();
                break;
            }

            case DataField data:
            {
                // A repeated primitive without a LIST annotation (legacy two-level lists).
                var leaf = _leaves[data];
                writer.WriteStartArray();
                if (leaf.Definition == data.MaxDefinitionLevel)
                {
                    do
                    {
                        leaf.WriteValue(writer);
                        leaf.Next();
                    }
                    while (leaf.HasEntry && leaf.Repetition == data.MaxRepetitionLevel);
                }
                else
                {
                    leaf.Next();
                }

                writer.WriteEndArray();
                break;
            }

            case StructField structure:
            {
                if (First(structure).Definition < structure.MaxDefinitionLevel)
                {
                    writer.WriteNullValue();
                    Skip(structure);
                    break;
                }

                writer.WriteStartObject();
                foreach (var child in structure.Fields)
                {
                    writer.WritePropertyName(child.Name);
                    Write(child, writer);
                }

                writer.WriteEndObject();
                break;
            }

            case ListField list:
                WriteRepeated(list, list.MaxDefinitionLevel, list.MaxRepetitionLevel, writer, () => Write(list.Item, writer), isMap: false);
                break;

            case MapField map:
                WriteRepeated(map, map.MaxDefinitionLevel, map.MaxRepetitionLevel, writer, () =>
                {
                    var key = _leaves[DataFieldsUnder(map.Key).First()];
                    writer.WritePropertyName(key.Definition == key.Field.MaxDefinitionLevel ? key.ValueText() : "null");
                    key.Next();
                    Write(map.Value, writer);
                }, isMap: true);
                break;

            default:
                throw new NotSupportedException($"Parquet field '{field.Name}' of kind {field.SchemaType} is not supported.");
        }
    }

    /// <summary>
    /// A LIST or MAP: below <paramref name="elementLevel"/> − 1 it is null, at it empty, above it has elements; an
    /// element continues the list while the next entry repeats at <paramref name="repetitionLevel"/>.
    /// </summary>
    private void WriteRepeated(Field field, int elementLevel, int repetitionLevel, Utf8JsonWriter writer, Action writeElement, bool isMap)
    {
        var lead = First(field);
        var definition = lead.Definition;
        if (definition < elementLevel - 1)
        {
            writer.WriteNullValue();
            Skip(field);
            return;
        }

        if (isMap)
        {
            writer.WriteStartObject();
        }
        else
        {
            writer.WriteStartArray();
        }

        if (definition == elementLevel - 1)
        {
            Skip(field);
        }
        else
        {
            do
            {
                writeElement();
            }
            while (lead.HasEntry && lead.Repetition == repetitionLevel);
        }

        if (isMap)
        {
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteEndArray();
        }
    }

    /// <summary>A null or empty node: every column under it holds one entry for it.</summary>
    private void Skip(Field field)
    {
        foreach (var data in DataFieldsUnder(field))
        {
            _leaves[data].Next();
        }
    }

    /// <summary>One column of the row group: its dense values and its levels, walked entry by entry.</summary>
    private abstract class Leaf(DataField field, int[] definitions, int[] repetitions, int entries) : IDisposable
    {
        private int[]? _definitions = definitions;
        private int[]? _repetitions = repetitions;
        private int _entry;

        public DataField Field { get; } = field;

        protected int ValueIndex { get; private set; }

        public bool HasEntry => _entry < entries;

        public int Definition => _entry < entries ? _definitions![_entry] : throw Exhausted();

        public int Repetition => _entry < entries ? _repetitions![_entry] : throw Exhausted();

        public static async Task<Leaf> ReadAsync(ParquetRowGroupReader group, DataField field, CancellationToken cancellationToken)
        {
            var type = field.ClrType;
            return type == typeof(ReadOnlyMemory<char>) ? await Typed<ReadOnlyMemory<char>>.ReadAsync(group, field, static (w, v) => w.WriteStringValue(v.Span), cancellationToken).ConfigureAwait(false)
                : type == typeof(double) ? await Typed<double>.ReadAsync(group, field, static (w, v) => WriteDouble(w, v), cancellationToken).ConfigureAwait(false)
                : type == typeof(float) ? await Typed<float>.ReadAsync(group, field, static (w, v) => WriteDouble(w, v), cancellationToken).ConfigureAwait(false)
                : type == typeof(long) ? await Typed<long>.ReadAsync(group, field, static (w, v) => w.WriteNumberValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(int) ? await Typed<int>.ReadAsync(group, field, static (w, v) => w.WriteNumberValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(short) ? await Typed<short>.ReadAsync(group, field, static (w, v) => w.WriteNumberValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(sbyte) ? await Typed<sbyte>.ReadAsync(group, field, static (w, v) => w.WriteNumberValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(byte) ? await Typed<byte>.ReadAsync(group, field, static (w, v) => w.WriteNumberValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(ushort) ? await Typed<ushort>.ReadAsync(group, field, static (w, v) => w.WriteNumberValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(uint) ? await Typed<uint>.ReadAsync(group, field, static (w, v) => w.WriteNumberValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(ulong) ? await Typed<ulong>.ReadAsync(group, field, static (w, v) => w.WriteNumberValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(decimal) ? await Typed<decimal>.ReadAsync(group, field, static (w, v) => w.WriteNumberValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(bool) ? await Typed<bool>.ReadAsync(group, field, static (w, v) => w.WriteBooleanValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(ReadOnlyMemory<byte>) ? await Typed<ReadOnlyMemory<byte>>.ReadAsync(group, field, static (w, v) => w.WriteBase64StringValue(v.Span), cancellationToken).ConfigureAwait(false)
                : type == typeof(DateTime) ? await Typed<DateTime>.ReadAsync(group, field, static (w, v) => w.WriteStringValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(DateTimeOffset) ? await Typed<DateTimeOffset>.ReadAsync(group, field, static (w, v) => w.WriteStringValue(v), cancellationToken).ConfigureAwait(false)
                : type == typeof(DateOnly) ? await Typed<DateOnly>.ReadAsync(group, field, static (w, v) => w.WriteStringValue(v.ToString("O", CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false)
                : type == typeof(TimeSpan) ? await Typed<TimeSpan>.ReadAsync(group, field, static (w, v) => w.WriteStringValue(v.ToString("c", CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false)
                : type == typeof(Guid) ? await Typed<Guid>.ReadAsync(group, field, static (w, v) => w.WriteStringValue(v), cancellationToken).ConfigureAwait(false)
                : throw new NotSupportedException($"column '{field.Path}' has type {type.Name}, which PrefSuite does not read");
        }

        public void Next()
        {
            if (_entry >= entries)
            {
                throw Exhausted();
            }

            if (_definitions![_entry] == Field.MaxDefinitionLevel)
            {
                ValueIndex++;
            }

            _entry++;
        }

        public abstract void WriteValue(Utf8JsonWriter writer);

        /// <summary>The current value as text (map keys).</summary>
        public abstract string ValueText();

        public virtual void Dispose()
        {
            Return(ref _definitions);
            Return(ref _repetitions);
        }

        private static void WriteDouble(Utf8JsonWriter writer, double value)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue(); // JSON has no NaN or infinity; a missing number is what it means here
            }
        }

        private static void Return(ref int[]? array)
        {
            if (array is not null)
            {
                ArrayPool<int>.Shared.Return(array);
                array = null;
            }
        }

        private InvalidDataException Exhausted() => new($"column '{Field.Path}' has fewer entries than its row group needs");

        private sealed class Typed<T>(DataField field, T[] values, int[] definitions, int[] repetitions, int entries, Action<Utf8JsonWriter, T> write)
            : Leaf(field, definitions, repetitions, entries)
            where T : struct
        {
            private T[]? _values = values;

            public static async Task<Leaf> ReadAsync(ParquetRowGroupReader group, DataField field, Action<Utf8JsonWriter, T> write, CancellationToken cancellationToken)
            {
                var entries = checked((int)(group.GetMetadata(field)?.MetaData?.NumValues ?? group.RowCount));
                var values = ArrayPool<T>.Shared.Rent(Math.Max(entries, 1));
                var definitions = ArrayPool<int>.Shared.Rent(Math.Max(entries, 1));
                var repetitions = ArrayPool<int>.Shared.Rent(Math.Max(entries, 1));
                await group.ReadRawAsync(field, values.AsMemory(0, entries), definitions.AsMemory(0, entries), repetitions.AsMemory(0, entries), cancellationToken).ConfigureAwait(false);
                if (field.MaxDefinitionLevel == 0)
                {
                    definitions.AsSpan(0, entries).Clear();
                }

                if (field.MaxRepetitionLevel == 0)
                {
                    repetitions.AsSpan(0, entries).Clear();
                }

                return new Typed<T>(field, values, definitions, repetitions, entries, write);
            }

            public override void WriteValue(Utf8JsonWriter writer) => write(writer, _values![ValueIndex]);

            public override string ValueText() => _values![ValueIndex] is ReadOnlyMemory<char> text ? text.ToString() : Convert.ToString(_values[ValueIndex], CultureInfo.InvariantCulture) ?? string.Empty;

            public override void Dispose()
            {
                base.Dispose();
                if (_values is not null)
                {
                    ArrayPool<T>.Shared.Return(_values, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
                    _values = null;
                }
            }
        }
    }
}

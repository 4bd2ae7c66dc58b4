using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// Reads a safetensors file tensor by tensor (8-byte little-endian header length, a JSON header of dtype, shape and
/// data offsets, then the raw little-endian data), so a checkpoint never has to be held in memory twice. Every
/// problem is a <see cref="CheckpointException"/> naming the file and the tensor.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L << 20;
    private readonly SafeFileHandle handle;
    private readonly long dataStart;

    private SafetensorsFile(string path, SafeFileHandle handle, long dataStart, IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        this.handle = handle;
        this.dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary>The tensors in the order their data lies in the file.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new CheckpointException(path, "file", "not found");
        }

        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var length = RandomAccess.GetLength(handle);
            Span<byte> prefix = stackalloc byte[8];
            if (length < 8 || RandomAccess.Read(handle, prefix, 0) != 8)
            {
                throw new CheckpointException(path, "header", "the file is shorter than the 8-byte header length");
            }

            var headerLength = BinaryPrimitives.ReadInt64LittleEndian(prefix);
            if (headerLength <= 1 || headerLength > MaxHeaderBytes || 8 + headerLength > length)
            {
                throw new CheckpointException(path, "header", $"header length {headerLength} does not fit a file of {length} bytes: not a safetensors file");
            }

            var header = new byte[headerLength];
            if (RandomAccess.Read(handle, header, 8) != headerLength)
            {
                throw new CheckpointException(path, "header", "the header could not be read in full");
            }

            var dataLength = length - 8 - headerLength;
            var (tensors, metadata) = ParseHeader(path, header, dataLength);
            return new SafetensorsFile(path, handle, 8 + headerLength, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads a tensor's elements widened to float32 into <paramref name="destination"/> (its element count long).</summary>
    public void ReadSingle(SafetensorsTensor tensor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (destination.Length != tensor.ElementCount)
        {
            throw new ArgumentException($"{tensor.Name} has {tensor.ElementCount} elements, the destination {destination.Length}.", nameof(destination));
        }

        var size = TensorDTypes.Size(tensor.DType);
        const int chunkElements = 1 << 20;
        var buffer = ArrayPool<byte>.Shared.Rent(chunkElements * size);
        try
        {
            for (long start = 0; start < tensor.ElementCount; start += chunkElements)
            {
                var count = (int)Math.Min(chunkElements, tensor.ElementCount - start);
                var bytes = buffer.AsSpan(0, count * size);
                var offset = dataStart + tensor.Begin + (start * size);
                var read = 0;
                while (read < bytes.Length)
                {
                    var n = RandomAccess.Read(handle, bytes[read..], offset + read);
                    if (n == 0)
                    {
                        throw new CheckpointException(Path, tensor.Name, "the file ends inside this tensor's data");
                    }

                    read += n;
                }

                TensorDTypes.ToSingle(bytes, tensor.DType, destination.Slice((int)start, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A tensor's elements as a float32 array.</summary>
    public float[] ReadSingle(SafetensorsTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var values = new float[tensor.ElementCount];
        ReadSingle(tensor, values);
        return values;
    }

    public void Dispose() => handle.Dispose();

    private static (IReadOnlyList<SafetensorsTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header.AsMemory().TrimEnd((byte)' '));
        }
        catch (JsonException error)
        {
            throw new CheckpointException(path, "header", $"not valid JSON ({error.Message})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(path, "header", "must be a JSON object");
            }

            var tensors = new List<SafetensorsTensor>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var item in property.Value.EnumerateObject())
                        {
                            metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
                        }
                    }

                    continue;
                }

                tensors.Add(ParseTensor(path, property.Name, property.Value, dataLength));
            }

            tensors.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            for (var i = 1; i < tensors.Count; i++)
            {
                if (tensors[i].Begin < tensors[i - 1].End)
                {
                    throw new CheckpointException(path, tensors[i].Name, $"its data overlaps {tensors[i - 1].Name}'s");
                }
            }

            return (tensors, metadata);
        }
    }

    private static SafetensorsTensor ParseTensor(string path, string name, JsonElement entry, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object
            || !entry.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !entry.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw new CheckpointException(path, name, "needs dtype, shape and data_offsets [begin, end]");
        }

        if (!TensorDTypes.TryParse(dtype.GetString()!, out var type))
        {
            throw new CheckpointException(path, name, $"dtype {dtype.GetString()} is not supported (PrefSuite reads F32, F16 and BF16)");
        }

        var dims = new long[shape.GetArrayLength()];
        var d = 0;
        foreach (var dim in shape.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var value) || value < 0)
            {
                throw new CheckpointException(path, name, "shape must hold non-negative integers");
            }

            dims[d++] = value;
        }

        if (!offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end) || begin < 0 || end < begin || end > dataLength)
        {
            throw new CheckpointException(path, name, $"data_offsets [{offsets[0]}, {offsets[1]}] lie outside the {dataLength} data bytes");
        }

        var tensor = new SafetensorsTensor(name, type, dims, begin, end);
        if (end - begin != tensor.ByteSize)
        {
            throw new CheckpointException(path, name, $"data_offsets span {end - begin} bytes but shape {tensor.ShapeText} of {type} needs {tensor.ByteSize}");
        }

        return tensor;
    }
}

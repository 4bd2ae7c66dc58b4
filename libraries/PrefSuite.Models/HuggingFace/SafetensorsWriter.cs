using System.Buffers.Binary;
using System.Text.Json;

namespace PrefSuite.Models.HuggingFace;

/// <summary>
/// Writes safetensors files: tensors in ordinal name order, a compact JSON header that starts with
/// <c>{"__metadata__":{"format":"pt"}</c>, padded with spaces so the data starts on an 8-byte boundary. The file is
/// written to a temporary name and renamed into place, so a reader never sees half a file.
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>The header bytes (without the 8-byte length) for tensors already in file order, their offsets assigned.</summary>
    public static byte[] Header(IReadOnlyList<SafetensorsTensor> ordered)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            json.WriteString("format", "pt");
            json.WriteEndObject();
            foreach (var tensor in ordered)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", TensorDTypes.Name(tensor.DType));
                json.WriteStartArray("shape");
                foreach (var dim in tensor.Shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(tensor.Begin);
                json.WriteNumberValue(tensor.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        var length = (int)buffer.Length;
        var padded = length + ((8 - ((8 + length) % 8)) % 8);
        var header = new byte[padded];
        buffer.ToArray().CopyTo(header, 0);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    /// <summary>
    /// Writes the tensors (any order; the file holds them sorted by name) to <paramref name="path"/>;
    /// <paramref name="writeData"/> writes each tensor's little-endian bytes, exactly its <see cref="SafetensorsTensor.ByteSize"/>.
    /// </summary>
    public static void Write(string path, IEnumerable<SafetensorsTensor> tensors, Action<SafetensorsTensor, Stream> writeData)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(writeData);
        var ordered = new List<SafetensorsTensor>();
        long offset = 0;
        foreach (var tensor in tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            ordered.Add(tensor with { Begin = offset, End = offset + tensor.ByteSize });
            offset += tensor.ByteSize;
        }

        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Name == ordered[i - 1].Name)
            {
                throw new ArgumentException($"Tensor {ordered[i].Name} appears twice.", nameof(tensors));
            }
        }

        var header = Header(ordered);
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(prefix, header.Length);
                stream.Write(prefix);
                stream.Write(header);
                foreach (var tensor in ordered)
                {
                    var before = stream.Position;
                    writeData(tensor, stream);
                    if (stream.Position - before != tensor.ByteSize)
                    {
                        throw new InvalidOperationException($"{tensor.Name}: {stream.Position - before} bytes written, {tensor.ByteSize} expected.");
                    }
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes float32 values as <paramref name="type"/> to a stream, in chunks.</summary>
    public static void WriteValues(ReadOnlySpan<float> values, TensorDType type, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        const int chunk = 1 << 18;
        var size = TensorDTypes.Size(type);
        var buffer = new byte[Math.Min(values.Length, chunk) * size];
        for (var start = 0; start < values.Length; start += chunk)
        {
            var count = Math.Min(chunk, values.Length - start);
            TensorDTypes.FromSingle(values.Slice(start, count), type, buffer.AsSpan(0, count * size));
            stream.Write(buffer, 0, count * size);
        }
    }
}

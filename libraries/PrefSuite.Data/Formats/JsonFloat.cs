using System.Globalization;
using System.Text.Json;

namespace PrefSuite.Data.Formats;

/// <summary>
/// Numbers that are floats in every row: 4 is written 4.0, so Arrow and Hugging Face datasets infer one float column
/// instead of an integer column that breaks on the first 4.5 (or on the next file).
/// </summary>
internal static class JsonFloat
{
    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double? value)
    {
        writer.WritePropertyName(name);
        WriteValue(writer, value);
    }

    public static void WriteValue(Utf8JsonWriter writer, double? value)
    {
        if (value is not { } v || !double.IsFinite(v))
        {
            writer.WriteNullValue();
            return;
        }

        Span<byte> text = stackalloc byte[40];
        v.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
        if (text[..length].IndexOfAny(".Ee"u8) < 0)
        {
            text[length++] = (byte)'.';
            text[length++] = (byte)'0';
        }

        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }
}

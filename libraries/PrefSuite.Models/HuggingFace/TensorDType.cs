using static TorchSharp.torch;

namespace PrefSuite.Models.HuggingFace;

/// <summary>The floating-point element types PrefSuite reads and writes in safetensors files.</summary>
public enum TensorDType
{
    F32,
    F16,
    BF16,
}

/// <summary>Element sizes, names and conversions of <see cref="TensorDType"/>.</summary>
public static class TensorDTypes
{
    public static int Size(TensorDType type) => type == TensorDType.F32 ? 4 : 2;

    /// <summary>The name safetensors headers use ("F32", "F16", "BF16").</summary>
    public static string Name(TensorDType type) => type.ToString();

    public static bool TryParse(string name, out TensorDType type)
    {
        switch (name)
        {
            case "F32":
                type = TensorDType.F32;
                return true;
            case "F16":
                type = TensorDType.F16;
                return true;
            case "BF16":
                type = TensorDType.BF16;
                return true;
            default:
                type = default;
                return false;
        }
    }

    /// <summary>The <c>torch_dtype</c> value of a Hugging Face config.json ("float32", "float16", "bfloat16").</summary>
    public static string ConfigName(TensorDType type) => type switch
    {
        TensorDType.F16 => "float16",
        TensorDType.BF16 => "bfloat16",
        _ => "float32",
    };

    public static TensorDType? FromConfigName(string? name) => name switch
    {
        "float32" => TensorDType.F32,
        "float16" => TensorDType.F16,
        "bfloat16" => TensorDType.BF16,
        _ => null,
    };

    public static ScalarType ScalarType(TensorDType type) => type switch
    {
        TensorDType.F16 => TorchSharp.torch.ScalarType.Float16,
        TensorDType.BF16 => TorchSharp.torch.ScalarType.BFloat16,
        _ => TorchSharp.torch.ScalarType.Float32,
    };

    /// <summary>Little-endian stored elements widened exactly to float32.</summary>
    public static void ToSingle(ReadOnlySpan<byte> stored, TensorDType type, Span<float> destination)
    {
        switch (type)
        {
            case TensorDType.F32:
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = BitConverter.Int32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(stored[(4 * i)..]));
                }

                break;
            case TensorDType.F16:
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)BitConverter.UInt16BitsToHalf(System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(stored[(2 * i)..]));
                }

                break;
            case TensorDType.BF16:
                for (var i = 0; i < destination.Length; i++)
                {
                    var bits = (uint)System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(stored[(2 * i)..]) << 16;
                    destination[i] = BitConverter.UInt32BitsToSingle(bits);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    /// <summary>float32 values narrowed with round-to-nearest-even and written little-endian.</summary>
    public static void FromSingle(ReadOnlySpan<float> values, TensorDType type, Span<byte> destination)
    {
        switch (type)
        {
            case TensorDType.F32:
                for (var i = 0; i < values.Length; i++)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(destination[(4 * i)..], BitConverter.SingleToInt32Bits(values[i]));
                }

                break;
            case TensorDType.F16:
                for (var i = 0; i < values.Length; i++)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], BitConverter.HalfToUInt16Bits((Half)values[i]));
                }

                break;
            case TensorDType.BF16:
                for (var i = 0; i < values.Length; i++)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], ToBFloat16Bits(values[i]));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    /// <summary>bfloat16 bits of a float32, rounded to nearest even (NaN stays a quiet NaN).</summary>
    public static ushort ToBFloat16Bits(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        var rounding = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + rounding) >> 16);
    }
}

namespace PrefSuite.Models.HuggingFace;

/// <summary>One tensor of a safetensors file: name, element type, shape and where its bytes lie in the data section.</summary>
public sealed record SafetensorsTensor(string Name, TensorDType DType, long[] Shape, long Begin = 0, long End = 0)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public long ByteSize => ElementCount * TensorDTypes.Size(DType);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

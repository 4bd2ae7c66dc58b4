using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>One layer's keys and values for incremental decoding, preallocated to the longest sequence.</summary>
public sealed class LayerCache : IDisposable
{
    private readonly Tensor keys;
    private readonly Tensor values;

    public LayerCache(long batch, long heads, long capacity, long headWidth, Device device, ScalarType dtype = ScalarType.Float32)
    {
        keys = zeros(batch, heads, capacity, headWidth, dtype, device);
        values = zeros(batch, heads, capacity, headWidth, dtype, device);
    }

    /// <summary>How many positions are filled.</summary>
    public long Length { get; private set; }

    /// <summary>Writes the new keys and values after the filled ones and returns views of everything filled so far.</summary>
    public (Tensor Keys, Tensor Values) Append(Tensor newKeys, Tensor newValues)
    {
        var added = newKeys.shape[2];
        using (no_grad())
        {
            keys.narrow(2, Length, added).copy_(newKeys);
            values.narrow(2, Length, added).copy_(newValues);
        }

        Length += added;
        return (keys.narrow(2, 0, Length), values.narrow(2, 0, Length));
    }

    public void Dispose()
    {
        keys.Dispose();
        values.Dispose();
    }
}

using System.Text.Json;

namespace PrefSuite.Models.Tests.HuggingFace;

/// <summary>One fixture written by Reference/hf_reference.py (the independent NumPy forward pass).</summary>
internal sealed class ReferenceFixture
{
    private ReferenceFixture(JsonElement root) => Root = root;

    public JsonElement Root { get; }

    public string Model => Root.GetProperty("model").GetString()!;

    public ulong Seed => Root.GetProperty("model_seed").GetUInt64();

    public string StoredDType => Root.GetProperty("stored_dtype").GetString()!;

    public static ReferenceFixture Load(string model)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "HuggingFace", "Fixtures", model + ".json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return new ReferenceFixture(document.RootElement.Clone());
    }

    public IReadOnlyList<(string Name, long[] Shape, double Sum, double SumSquares)> Tensors =>
        Root.GetProperty("tensor_checksums").EnumerateObject()
            .Select(t => (t.Name, t.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(), t.Value.GetProperty("sum").GetDouble(), t.Value.GetProperty("sum_sq").GetDouble()))
            .ToArray();

    public IReadOnlyDictionary<string, string> WeightSha256 =>
        Root.GetProperty("weights_sha256").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
}

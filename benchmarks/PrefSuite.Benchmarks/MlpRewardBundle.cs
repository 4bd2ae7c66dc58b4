using Google.Protobuf;
using PrefSuite.Models.Rewards;
using PrefSuite.Models.Tests.Onnx.Proto;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Benchmarks;

/// <summary>
/// An ONNX reward model of the same architecture as benchmarks/reference/policy_torch.py's MlpReward: embedding, a 4×
/// ReLU MLP, masked mean pool, linear heads. Random weights; only its speed matters.
/// </summary>
internal static class MlpRewardBundle
{
    public static void Write(string folder, int vocabulary, int width, int heads)
    {
        var rng = new SplitMix64(1);
        var graph = new GraphProto { Name = "mlp_reward" };
        graph.Initializer.Add(Random("E", rng, vocabulary, width));
        graph.Initializer.Add(Random("W1", rng, width, 4 * width));
        graph.Initializer.Add(Random("B1", rng, 4 * width));
        graph.Initializer.Add(Random("W2", rng, 4 * width, width));
        graph.Initializer.Add(Random("B2", rng, width));
        graph.Initializer.Add(Random("WH", rng, width, heads));
        graph.Initializer.Add(Random("BH", rng, heads));
        graph.Initializer.Add(Axis("axis_one", 1));
        graph.Initializer.Add(Axis("axis_two", 2));
        graph.Input.Add(Value("input_ids", 7, "batch", "sequence"));
        graph.Input.Add(Value("attention_mask", 7, "batch", "sequence"));
        graph.Output.Add(Value("rewards", 1, "batch", "heads"));
        Add(graph, "Gather", ["E", "input_ids"], "embedded");
        Add(graph, "MatMul", ["embedded", "W1"], "h1");
        Add(graph, "Add", ["h1", "B1"], "h1b");
        Add(graph, "Relu", ["h1b"], "h1r");
        Add(graph, "MatMul", ["h1r", "W2"], "h2");
        Add(graph, "Add", ["h2", "B2"], "h2b");
        var cast = Add(graph, "Cast", ["attention_mask"], "mask");
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        Add(graph, "Unsqueeze", ["mask", "axis_two"], "mask3");
        Add(graph, "Mul", ["h2b", "mask3"], "masked");
        Add(graph, "ReduceSum", ["masked", "axis_one"], "summed").Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        Add(graph, "ReduceSum", ["mask3", "axis_one"], "count").Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        Add(graph, "Div", ["summed", "count"], "pooled");
        Add(graph, "MatMul", ["pooled", "WH"], "headsRaw");
        Add(graph, "Add", ["headsRaw", "BH"], "rewards");
        var model = new ModelProto { IrVersion = 8, ProducerName = "prefsuite-benchmarks", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 13 });
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, RewardBundleManifest.ModelFile), model.ToByteArray());
        new RewardBundleManifest
        {
            Name = "mlp-benchmark",
            Tokenizer = "bytes-v1",
            Heads = Enumerable.Range(0, heads).Select(h => $"h{h}").ToArray(),
            BatchSize = 32,
            MaxLength = 64,
            AddBos = false,
            AddEos = false,
            Template = "{response}",
        }.Save(Path.Combine(folder, RewardBundleManifest.FileName));
    }

    private static NodeProto Add(GraphProto graph, string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.Add(inputs);
        node.Output.Add(output);
        graph.Node.Add(node);
        return node;
    }

    private static TensorProto Random(string name, SplitMix64 rng, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = 1 };
        tensor.Dims.Add(dims);
        var count = dims.Aggregate(1L, (a, b) => a * b);
        for (var i = 0; i < count; i++)
        {
            tensor.FloatData.Add((float)(0.02 * rng.NextGaussian()));
        }

        return tensor;
    }

    private static TensorProto Axis(string name, long axis)
    {
        var tensor = new TensorProto { Name = name, DataType = 7 };
        tensor.Dims.Add(1);
        tensor.Int64Data.Add(axis);
        return tensor;
    }

    private static ValueInfoProto Value(string name, int type, params string[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = dim });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = type, Shape = shape } } };
    }
}

using Google.Protobuf;
using PrefSuite.Models.Rewards;
using PrefSuite.Models.Tests.Onnx.Proto;

namespace PrefSuite.Models.Tests.Onnx;

/// <summary>
/// Writes reward bundles whose scores are computable by hand: every token id t has a row of head values E[t]; the model
/// returns the attention-masked mean of E over the sequence (Gather, Cast, Unsqueeze, Mul, ReduceSum, Div; opset 13).
/// </summary>
internal static class TinyRewardModels
{
    private const int Float = 1;
    private const int Int64 = 7;

    /// <summary>Writes model.onnx and manifest.json into <paramref name="folder"/>.</summary>
    public static void WriteMeanPoolBundle(string folder, float[,] embedding, RewardBundleManifest manifest)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, RewardBundleManifest.ModelFile), MeanPoolModel(embedding).ToByteArray());
        manifest.Save(Path.Combine(folder, RewardBundleManifest.FileName));
    }

    /// <summary>
    /// The same bundle with the embedding table's values in an external weight file (ONNX external data, as exporters
    /// write models over 2 GB): model.onnx references <paramref name="weightsFile"/> by location, offset and length.
    /// </summary>
    public static void WriteMeanPoolBundleWithExternalWeights(string folder, float[,] embedding, RewardBundleManifest manifest, string weightsFile = "weights.bin")
    {
        Directory.CreateDirectory(folder);
        var model = MeanPoolModel(embedding);
        var table = model.Graph.Initializer.Single(t => t.Name == "E");
        var bytes = table.FloatData.SelectMany(BitConverter.GetBytes).ToArray();
        File.WriteAllBytes(Path.Combine(folder, weightsFile), bytes);
        table.FloatData.Clear();
        table.DataLocation = 1;
        table.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = weightsFile });
        table.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        table.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        File.WriteAllBytes(Path.Combine(folder, RewardBundleManifest.ModelFile), model.ToByteArray());
        manifest.Save(Path.Combine(folder, RewardBundleManifest.FileName));
    }

    public static ModelProto MeanPoolModel(float[,] embedding)
    {
        var vocabulary = embedding.GetLength(0);
        var heads = embedding.GetLength(1);
        var table = new TensorProto { Name = "E", DataType = Float };
        table.Dims.Add([vocabulary, heads]);
        for (var t = 0; t < vocabulary; t++)
        {
            for (var h = 0; h < heads; h++)
            {
                table.FloatData.Add(embedding[t, h]);
            }
        }

        var axisOne = new TensorProto { Name = "axis_one", DataType = Int64 };
        axisOne.Dims.Add(1);
        axisOne.Int64Data.Add(1);
        var axisTwo = new TensorProto { Name = "axis_two", DataType = Int64 };
        axisTwo.Dims.Add(1);
        axisTwo.Int64Data.Add(2);

        var graph = new GraphProto { Name = "mean_pool_reward" };
        graph.Initializer.Add([table, axisOne, axisTwo]);
        graph.Input.Add(Input("input_ids", Int64, "batch", "sequence"));
        graph.Input.Add(Input("attention_mask", Int64, "batch", "sequence"));
        graph.Output.Add(Input("rewards", Float, "batch", heads.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        graph.Node.Add(Node("Gather", ["E", "input_ids"], ["embedded"]));
        graph.Node.Add(Node("Cast", ["attention_mask"], ["mask"], new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = Float }));
        graph.Node.Add(Node("Unsqueeze", ["mask", "axis_two"], ["mask3"]));
        graph.Node.Add(Node("Mul", ["embedded", "mask3"], ["masked"]));
        graph.Node.Add(Node("ReduceSum", ["masked", "axis_one"], ["summed"], new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 }));
        graph.Node.Add(Node("ReduceSum", ["mask3", "axis_one"], ["count"], new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 }));
        graph.Node.Add(Node("Div", ["summed", "count"], ["rewards"]));

        var model = new ModelProto { IrVersion = 8, ProducerName = "prefsuite-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 13 });
        return model;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + outputs[0] };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        return node;
    }

    private static ValueInfoProto Input(string name, int type, params string[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(long.TryParse(dim, out var value) ? new TensorShapeProto.Types.Dimension { DimValue = value } : new TensorShapeProto.Types.Dimension { DimParam = dim });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = type, Shape = shape } } };
    }
}

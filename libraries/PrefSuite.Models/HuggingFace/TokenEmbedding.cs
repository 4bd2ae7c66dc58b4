using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrefSuite.Models.HuggingFace;

/// <summary>The token embedding table (<c>weight</c> [vocab, hidden]), created empty for a checkpoint to fill.</summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    public TokenEmbedding(int vocabulary, int width, ScalarType dtype, Device device)
        : base(nameof(TokenEmbedding))
    {
        weight = new Parameter(empty([vocabulary, width], dtype, device));
        register_parameter("weight", weight);
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor tokens)
    {
        var flat = tokens.reshape(-1);
        using var rows = weight.index_select(0, flat);
        var shape = tokens.shape.Append(weight.shape[1]).ToArray();
        return rows.reshape(shape);
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>A pre-norm transformer block: x + attention(ln(x)), then x + MLP(ln(x)) with a 4× GELU MLP.</summary>
public sealed class TransformerBlock : nn.Module
{
    private readonly LayerNorm attentionNorm;
    private readonly CausalSelfAttention attention;
    private readonly LayerNorm mlpNorm;
    private readonly Linear expand;
    private readonly Linear contract;

    public TransformerBlock(int width, int heads)
        : base(nameof(TransformerBlock))
    {
        attentionNorm = nn.LayerNorm(width);
        attention = new CausalSelfAttention(width, heads);
        mlpNorm = nn.LayerNorm(width);
        expand = nn.Linear(width, 4 * width);
        contract = nn.Linear(4 * width, width);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor? mask, LayerCache? cache)
    {
        using var normed = attentionNorm.forward(x);
        using var attended = attention.Forward(normed, mask, cache);
        var afterAttention = x + attended;
        using var normed2 = mlpNorm.forward(afterAttention);
        using var hidden = expand.forward(normed2);
        using var activated = nn.functional.gelu(hidden);
        using var mlp = contract.forward(activated);
        var result = afterAttention + mlp;
        afterAttention.Dispose();
        return result;
    }
}

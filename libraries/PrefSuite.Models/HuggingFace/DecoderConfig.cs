namespace PrefSuite.Models.HuggingFace;

/// <summary>Which transformers architecture a checkpoint declares.</summary>
public enum DecoderFamily
{
    Llama,
    Qwen2,
    Qwen3,
    Mistral,
}

/// <summary>What sits on top of the decoder: a language-model head or a sequence-classification (reward) head.</summary>
public enum DecoderHead
{
    CausalLm,
    SequenceClassification,
}

/// <summary>
/// The shape of a Llama / Qwen2 / Mistral decoder as its config.json describes it, with the choices transformers makes
/// for each family already applied (which projections carry biases, which layers use a sliding window).
/// </summary>
public sealed record DecoderConfig
{
    public required string Architecture { get; init; }

    public required DecoderFamily Family { get; init; }

    public required DecoderHead Head { get; init; }

    public required int VocabSize { get; init; }

    public required int HiddenSize { get; init; }

    public required int IntermediateSize { get; init; }

    public required int Layers { get; init; }

    public required int Heads { get; init; }

    public required int KeyValueHeads { get; init; }

    public required int HeadDim { get; init; }

    public required int MaxPositions { get; init; }

    public required double RmsNormEps { get; init; }

    public required RopeSettings Rope { get; init; }

    public bool TieWordEmbeddings { get; init; }

    /// <summary>Biases on the q, k and v projections (Qwen2 always; Llama when attention_bias).</summary>
    public bool QkvBias { get; init; }

    /// <summary>A bias on the output projection (Llama when attention_bias).</summary>
    public bool OutputBias { get; init; }

    /// <summary>RMSNorm of each head's queries and keys before the rotary embedding (Qwen3's q_norm and k_norm).</summary>
    public bool QkNorm { get; init; }

    /// <summary>Biases on gate, up and down (Llama when mlp_bias).</summary>
    public bool MlpBias { get; init; }

    /// <summary>Per layer: the sliding-window size it attends within, or null for full causal attention.</summary>
    public required IReadOnlyList<int?> LayerWindows { get; init; }

    /// <summary>Sequence classification: the labels (num_labels of them, in id order).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    public int? PadTokenId { get; init; }

    public int? BosTokenId { get; init; }

    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>The dtype the checkpoint was saved in (config.json's torch_dtype), when it says.</summary>
    public TensorDType? StoredDType { get; init; }
}

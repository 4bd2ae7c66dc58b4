namespace PrefSuite.Models.HuggingFace;

/// <summary>Where a Hugging Face policy came from and how it is saved: its checkpoint folder, tokenizer and LoRA settings.</summary>
public sealed record HfPolicySource(HfCheckpoint Checkpoint, HfTokenizer Tokenizer, LoraSettings? Lora)
{
    /// <summary>The dtype weights are saved in; null keeps the checkpoint's own (config.json's torch_dtype, else float32).</summary>
    public TensorDType? SaveDType { get; init; }

    /// <summary>Saved weights are split into shards of at most this many bytes.</summary>
    public long MaxShardBytes { get; init; } = DecoderWeights.DefaultMaxShardBytes;
}

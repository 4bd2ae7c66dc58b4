using System.Text.Json;

namespace PrefSuite.Models.Training;

/// <summary>
/// A training checkpoint folder: trainable.safetensors (the parameters training updates: all of them, or the LoRA
/// adapters), optimizer.bin (AdamW moments and steps) and trainer.json (this record): enough to continue exactly where
/// training stopped.
/// </summary>
/// <param name="RandomState">The data generator's state (SFT's corpus); 0 when unused.</param>
/// <param name="DataHash">The content hash of the training data, so a checkpoint is never resumed on other data.</param>
public sealed record TrainerState(string Stage, int Step, int TotalSteps, ulong RandomState, string DataHash, IReadOnlyList<StepMetrics> History)
{
    public const string StateFile = "trainer.json";
    public const string OptimizerFile = "optimizer.bin";
    public const string TrainableFile = "trainable.safetensors";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static TrainerState? TryLoad(string? folder)
    {
        if (folder is null || !File.Exists(Path.Combine(folder, StateFile)))
        {
            return null;
        }

        return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(folder, StateFile)), Json);
    }

    public void Save(string folder) => File.WriteAllText(Path.Combine(folder, StateFile), JsonSerializer.Serialize(this, Json));
}

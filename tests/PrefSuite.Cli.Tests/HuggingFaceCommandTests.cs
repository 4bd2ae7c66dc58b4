using System.Globalization;
using System.Text.Json;
using PrefSuite.Contracts.V1;
using PrefSuite.Models.HuggingFace;
using PrefSuite.Models.Tests.HuggingFace;

namespace PrefSuite.Cli.Tests;

/// <summary>The commands on Hugging Face checkpoint folders (tiny random ones in the exact layout).</summary>
public class HuggingFaceCommandTests
{
    private static readonly string[] Words = ["the", "in", "an", "at", "on", "or", "is", "to", "re", "es", "hello", "world"];

    private static string PromptsFile(CliHarness cli, int count)
    {
        var lines = Enumerable.Range(0, count).Select(i => JsonSerializer.Serialize(new { prompt_id = $"p{i}", prompt = $"q: {Words[i % Words.Length]} {Words[(i * 7) % Words.Length]} {Words[(i * 5) % Words.Length]}" }));
        return cli.Write("prompts.jsonl", string.Join('\n', lines) + "\n");
    }

    [Fact]
    public async Task ARunOnAHfPolicyAndRewardModelTrainsAHfCheckpointAndReportsHeldOutImplicitAccuracy()
    {
        using var cli = new CliHarness();
        var policy = TinyCheckpoints.Write("qwen2-tiny", cli.Folder);
        var reward = TinyCheckpoints.Write("llama-reward-tiny", cli.Folder);
        var (code, output, error) = await cli.RunAsync(
            "run", "--runs-dir", cli.PathOf("runs"), "--run-id", "hf", "--policy", policy, "--reward-model", reward, "--prompts-file", PromptsFile(cli, 40),
            "--samples", "6", "--max-new-tokens", "8", "--epochs", "2", "--batch-size", "8", "--lr", "1e-3", "--held-out-pairs", "6", "--quiet");
        Assert.True(code == 0, error + output);
        var runFolder = cli.PathOf("runs/runs/hf");
        var run = Run.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(runFolder, "run.pb")));
        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Equal(6, run.Training.HeldOutPairs);
        Assert.InRange(run.Training.HeldOutAccuracy, 0, 1);
        Assert.False(double.IsFinite(run.Training.RewardBefore)); // no ground-truth task to evaluate
        Assert.Contains($"6 held-out pairs: implicit-reward accuracy {run.Training.HeldOutAccuracy.ToString("0.000", CultureInfo.InvariantCulture)}", output, StringComparison.Ordinal);

        // The trained policy is a Hugging Face folder that loads again.
        var trained = cli.PathOf($"runs/models/policies/{run.CheckpointVersion}");
        Assert.True(File.Exists(Path.Combine(trained, "config.json")));
        Assert.True(File.Exists(Path.Combine(trained, "model.safetensors")));
        Assert.Equal("Qwen2ForCausalLM", HfCheckpoint.Open(trained).Config.Architecture);

        // Rewards come from the reward model's three labels (their mean is the reward).
        var pairs = File.ReadAllLines(Path.Combine(runFolder, "pairs.jsonl"));
        Assert.Equal(run.Selection.Kept, pairs.Length);
        Assert.True(pairs.Length >= 20);
        Assert.Contains("held_out.png", Directory.GetFiles(Path.Combine(runFolder, "report"), "*.png").Select(Path.GetFileName));
    }

    [Fact]
    public async Task ScoreWritesRewardHeadsLogProbsAndImplicitRewards()
    {
        using var cli = new CliHarness();
        var policy = TinyCheckpoints.Write("mistral-tiny", cli.Folder);
        var reward = TinyCheckpoints.Write("llama-reward-tiny", cli.Folder);
        var sampled = cli.Write("sampled.jsonl", """
            {"prompt_id":"a","prompt":"hello","responses":[{"text":" world"},{"text":" there is"}]}
            {"prompt_id":"b","prompt":"q: the","responses":[{"text":" in"},{"text":""}]}

            """);
        var (code, output, error) = await cli.RunAsync("score", "--input", sampled, "--output", cli.PathOf("scored.jsonl"), "--reward-model", reward, "--policy", policy, "--reference", policy);
        Assert.True(code == 0, error + output);
        var rows = cli.Lines("scored.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(2, rows.Length);
        foreach (var response in rows.SelectMany(r => r.GetProperty("responses").EnumerateArray()))
        {
            var heads = response.GetProperty("rewards");
            var mean = new[] { "helpfulness", "correctness", "coherence" }.Average(h => heads.GetProperty(h).GetDouble());
            Assert.Equal(mean, response.GetProperty("reward").GetDouble(), 9);
            Assert.Equal(0.0, response.GetProperty("implicit_reward").GetDouble()); // the policy is its own reference
            Assert.True(response.GetProperty("logprob").GetDouble() < 0);
        }
    }

    [Fact]
    public async Task TrainWithLoraWritesAMergedHfFolderAndAPeftAdapter()
    {
        using var cli = new CliHarness();
        var policy = TinyCheckpoints.Write("llama3-tiny", cli.Folder);
        var rows = Enumerable.Range(0, 12).Select(i => JsonSerializer.Serialize(new { prompt = $"q: {Words[i % Words.Length]}", chosen = " yes", rejected = " no", score_chosen = 1.0, score_rejected = 0.0 }));
        var pairs = cli.Write("pairs.jsonl", string.Join('\n', rows) + "\n");
        var (code, output, error) = await cli.RunAsync("train", "--runs-dir", cli.PathOf("runs"), "--policy", policy, "--pairs", pairs, "--lora-rank", "4", "--lora-targets", "all-linear",
            "--epochs", "1", "--batch-size", "4", "--gradient-accumulation", "2", "--output", cli.PathOf("out"));
        Assert.True(code == 0, error + output);
        Assert.Contains($"in {cli.PathOf("out")}", output, StringComparison.Ordinal);
        Assert.True(File.Exists(cli.PathOf("out/model-00001-of-00001.safetensors")) || File.Exists(cli.PathOf("out/model.safetensors")));
        Assert.True(File.Exists(cli.PathOf("out/tokenizer.json")));
        using var adapterConfig = JsonDocument.Parse(File.ReadAllText(cli.PathOf("out/adapter/adapter_config.json")));
        Assert.Equal(4, adapterConfig.RootElement.GetProperty("r").GetInt32());
        Assert.Equal(7, adapterConfig.RootElement.GetProperty("target_modules").GetArrayLength());
    }
}

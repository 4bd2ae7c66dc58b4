using System.CommandLine;

namespace PrefSuite.Cli.Runs;

/// <summary>The flags of `prefsuite run`, each mapped to its <see cref="RunConfig"/> key; a flag given overrides the file.</summary>
public sealed class RunFlags
{
    private RunFlags(Option option, Func<ParseResult, RunConfig, RunConfig> apply)
    {
        Option = option;
        Apply = (parse, config) => parse.GetResult(option) is { Implicit: false } ? apply(parse, config) : config;
    }

    public Option Option { get; }

    public Func<ParseResult, RunConfig, RunConfig> Apply { get; }

    public static IReadOnlyList<RunFlags> All() =>
    [
        Text("--run-id", "Run id; running an id again resumes it.", (c, v) => c with { RunId = v }),
        Text("--runs-dir", "Folder of runs, models and caches (default prefsuite-runs).", (c, v) => c with { RunsDir = v }),
        Number<int>("--prompts", "Demo prompts to generate.", (c, v) => c with { Prompts = v }),
        Text("--prompts-file", "Prompts to use instead of demo prompts, JSONL or Parquet: {\"prompt_id\", \"prompt\"} rows (the prompt a string or a list of messages), TRL prompt-only rows, or any file with a prompt or instruction column.", (c, v) => c with { PromptsFile = v }),
        Number<int>("--samples", "N: samples per prompt.", (c, v) => c with { Samples = v }),
        Number<double>("--temperature", "Sampling temperature.", (c, v) => c with { Temperature = v }),
        Number<int>("--max-new-tokens", "Longest response.", (c, v) => c with { MaxNewTokens = v }),
        Number<ulong>("--seed", "Seed of sampling, strategies and training.", (c, v) => c with { Seed = v }),
        Text("--strategy", "sweet-spot | max-min | position | max-min-of-k-random | random.", (c, v) => c with { Strategy = v }),
        Text("--chosen", "Chosen position (default max).", (c, v) => c with { Chosen = v }),
        Text("--rejected", "Rejected position (default mu-2sigma).", (c, v) => c with { Rejected = v }),
        Text("--aggregate", "bayes | mean | max | min: keep pairs by aggregated margin probability.", (c, v) => c with { Aggregate = v }),
        Text("--keep", "Fraction or count of pairs to keep.", (c, v) => c with { Keep = v }),
        Switch("--route-small-margins", "Route small-margin pairs to SFT.", c => c with { RouteSmallMargins = true }),
        Switch("--skip-denoise", "Skip robust PCA denoising.", c => c with { SkipDenoise = true }),
        Switch("--no-train", "Stop after building the dataset.", c => c with { Train = false }),
        Text("--loss", "Loss terms, e.g. sigmoid, sigmoid:1,sft:0.1, rdpo, ml-rdpo.", (c, v) => c with { Losses = v }),
        Number<double>("--beta", "β of the DPO family.", (c, v) => c with { Beta = v }),
        Number<double>("--beta1", "β₁ of RDPO / ML-RDPO.", (c, v) => c with { Beta1 = v }),
        Number<int>("--epochs", "Preference-training epochs.", (c, v) => c with { Epochs = v }),
        Number<double>("--lr", "Preference-training learning rate.", (c, v) => c with { LearningRate = v }),
        Number<int>("--batch-size", "Preference-training batch size.", (c, v) => c with { BatchSize = v }),
        Number<int>("--evaluation-prompts", "Held-out prompts evaluated before and after training.", (c, v) => c with { EvaluationPrompts = v }),
        Number<int>("--sft-steps", "SFT steps of the default policy when there is none yet.", (c, v) => c with { SftSteps = v }),
        Number<double>("--reward-noise", "Noise σ of the simulated reward model.", (c, v) => c with { RewardNoise = v }),
        Number<double>("--reward-flip", "Share of prompts whose simulated ranking is reversed.", (c, v) => c with { RewardFlip = v }),
        Text("--policy", "Start from this policy (version, alias or checkpoint folder).", (c, v) => c with { Policy = v }),
        Number<int>("--threads", "Threads for the built-in model.", (c, v) => c with { Threads = v }),
        new RunFlags(new Option<string[]>("--scorer") { Description = "A scorer spec (repeatable): onnx:FOLDER, programmatic:NAME, simulated:sorting?noise=…", AllowMultipleArgumentsPerToken = false },
            (p, c) => c with { Scorers = p.GetValue<string[]>("--scorer") ?? [] }),
    ];

    private static RunFlags Text(string name, string description, Func<RunConfig, string, RunConfig> apply) =>
        new(new Option<string>(name) { Description = description }, (p, c) => apply(c, p.GetValue<string>(name)!));

    private static RunFlags Number<T>(string name, string description, Func<RunConfig, T, RunConfig> apply) =>
        new(new Option<T>(name) { Description = description }, (p, c) => apply(c, p.GetValue<T>(name)!));

    private static RunFlags Switch(string name, string description, Func<RunConfig, RunConfig> apply) =>
        new(new Option<bool>(name) { Description = description }, (p, c) => p.GetValue<bool>(name) ? apply(c) : c);
}

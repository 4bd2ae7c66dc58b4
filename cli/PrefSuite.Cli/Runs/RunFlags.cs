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
        Number<double>("--top-p", "Nucleus sampling: keep the smallest set of tokens whose probability reaches this.", (c, v) => c with { TopP = v }),
        Number<int>("--top-k", "Keep only the k most likely tokens (0: all).", (c, v) => c with { TopK = v }),
        Number<ulong>("--seed", "Seed of sampling, strategies and training.", (c, v) => c with { Seed = v }),
        Text("--condition-on-score", "system | no-system: for a policy trained on prefsuite augment's pairs, sample with every prompt conditioned on the best score, exactly as augment states goals (the dataset keeps the prompts as given).", (c, v) => c with { ConditionOnScore = v }),
        Text("--strategy", "sweet-spot | max-min | position | max-min-of-k-random | random.", (c, v) => c with { Strategy = v }),
        Text("--chosen", "Chosen position (default max).", (c, v) => c with { Chosen = v }),
        Text("--rejected", "Rejected position (default mu-2sigma).", (c, v) => c with { Rejected = v }),
        Text("--aggregate", "bayes | mean | max | min: keep pairs by aggregated margin probability.", (c, v) => c with { Aggregate = v }),
        Text("--keep", "Fraction or count of pairs to keep.", (c, v) => c with { Keep = v }),
        Switch("--route-small-margins", "Route small-margin pairs to SFT.", c => c with { RouteSmallMargins = true }),
        Switch("--skip-denoise", "Skip robust PCA denoising.", c => c with { SkipDenoise = true }),
        Switch("--no-train", "Stop after building the dataset.", c => c with { Train = false }),
        Number<int>("--rounds", "Iterative rounds: after training, the new policy samples the next round, which is scored, selected and trained on again with that policy as the reference (default 1).", (c, v) => c with { Rounds = v }),
        Switch("--fresh-prompts", "With --rounds: each round samples the next slice of the prompts (prompts / rounds each) instead of all of them.", c => c with { FreshPrompts = true }),
        Number<double>("--implicit-warmup", "Less is More: after each round's first selection, train a copy of the policy for one epoch on this share of the pairs (e.g. 0.1), then select again aggregating its implicit margins with the external ones (--aggregate, bayes by default; --keep, 10% by default).", (c, v) => c with { ImplicitWarmup = v }),
        Text("--loss", "Loss terms with optional weights (default 1; 0 allowed), e.g. sigmoid, sigmoid:1,sft:0.1, rdpo, ml-rdpo.", (c, v) => c with { Losses = v }),
        Number<double>("--beta", "β of the DPO family.", (c, v) => c with { Beta = v }),
        Number<double>(Commands.LossFlags.Epsilon, Commands.LossFlags.EpsilonHelp, (c, v) => c with { Epsilon = v }),
        Number<double>(Commands.LossFlags.Alpha, Commands.LossFlags.AlphaHelp, (c, v) => c with { Alpha = v }),
        Number<double>(Commands.LossFlags.Beta1, Commands.LossFlags.Beta1Help, (c, v) => c with { Beta1 = v }),
        Number<double>(Commands.LossFlags.MlRdpoLambda, Commands.LossFlags.MlRdpoLambdaHelp, (c, v) => c with { MlRdpoLambda = v }),
        Number<int>("--epochs", "Preference-training epochs.", (c, v) => c with { Epochs = v }),
        Number<double>("--lr", "Preference-training learning rate.", (c, v) => c with { LearningRate = v }),
        Number<int>("--batch-size", "Preference-training batch size (pairs per optimizer step).", (c, v) => c with { BatchSize = v }),
        Text("--pair-order", "shuffled | curriculum: train pairs reshuffled every epoch, or in the selection's easy → hard order (default: curriculum with --route-small-margins).", (c, v) => c with { PairOrder = v }),
        Number<int>("--gradient-accumulation", "Micro-batches per optimizer step (same result, less memory).", (c, v) => c with { GradientAccumulation = v }),
        Number<int>("--lora-rank", "Train LoRA adapters of this rank on a Hugging Face policy (0: every weight).", (c, v) => c with { LoraRank = v }),
        Number<double>("--lora-alpha", "LoRA alpha (default 16).", (c, v) => c with { LoraAlpha = v }),
        Number<double>("--lora-dropout", "Dropout on the LoRA adapters' input (default 0.05).", (c, v) => c with { LoraDropout = v }),
        Text("--lora-targets", "Comma-separated projections for LoRA, or all-linear (default q_proj,k_proj,v_proj,o_proj).", (c, v) => c with { LoraTargets = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) }),
        Number<int>("--held-out-pairs", "Pairs kept out of training to measure implicit-reward accuracy (default 200 for a Hugging Face policy, 0 for the demo).", (c, v) => c with { HeldOutPairs = v }),
        Number<int>("--evaluation-prompts", "Held-out prompts evaluated before and after training.", (c, v) => c with { EvaluationPrompts = v }),
        Number<int>("--sft-steps", "SFT steps of the default policy when there is none yet.", (c, v) => c with { SftSteps = v }),
        Number<double>("--reward-noise", "Noise σ of the simulated reward model.", (c, v) => c with { RewardNoise = v }),
        Number<double>("--reward-flip", "Share of prompts whose simulated ranking is reversed.", (c, v) => c with { RewardFlip = v }),
        Text("--policy", "Start from this policy: a Hugging Face checkpoint folder (Llama, Qwen2, Mistral), a built-in checkpoint, version or alias (a relative folder is resolved from the current directory).", (c, v) => c with { Policy = v }),
        Text("--sampler", "Where responses come from: policy (the run's policy, in this process; default) or openai (an OpenAI-compatible server such as vLLM: --endpoint, --model).", (c, v) => c with { Sampler = v }),
        Text("--endpoint", "With --sampler openai: the server's base address, e.g. http://localhost:8000/v1; message prompts go to /v1/chat/completions, text prompts to /v1/completions.", (c, v) => c with { Endpoint = v }),
        Text("--model", "With --sampler openai: the model name the server serves.", (c, v) => c with { Model = v }),
        Text("--endpoint-api-key", "With --sampler openai: the server's key (--api-key is the stack's).", (c, v) => c with { EndpointApiKey = v }),
        Number<double>("--request-timeout", "With --sampler openai: seconds one generation request may take (default 600).", (c, v) => c with { RequestTimeout = v }),
        Number<int>("--choices-per-request", "With --sampler openai: samples asked of one request; 0 (default) asks for all N at once, 1 suits servers that do not honour n (some llama.cpp and Ollama versions).", (c, v) => c with { ChoicesPerRequest = v }),
        Number<int>("--prompts-per-request", "With --sampler openai: text prompts per /v1/completions request (default 16).", (c, v) => c with { PromptsPerRequest = v }),
        Number<int>("--threads", "Threads for the models (default: 1 for the demo model, every core for Hugging Face models).", (c, v) => c with { Threads = v }),
        new RunFlags(new Option<string[]>("--reward-model") { Description = "A Hugging Face *ForSequenceClassification reward-model folder (repeatable). With --stack: the scoring service must have been deployed with it (Scoring:Scorers hf:FOLDER); the run names it as hf:FOLDER-NAME.", AllowMultipleArgumentsPerToken = false },
            (p, c) => c with { RewardModels = p.GetValue<string[]>("--reward-model") ?? [] }),
        new RunFlags(new Option<string[]>("--scorer") { Description = "A scorer spec (repeatable): onnx:FOLDER, programmatic:NAME, simulated:sorting?noise=…; with --stack, a scorer id the stack's scoring service lists (e.g. programmatic:sorting, hf:NAME).", AllowMultipleArgumentsPerToken = false },
            (p, c) => c with { Scorers = p.GetValue<string[]>("--scorer") ?? [] }),
    ];

    private static RunFlags Text(string name, string description, Func<RunConfig, string, RunConfig> apply) =>
        new(new Option<string>(name) { Description = description }, (p, c) => apply(c, p.GetValue<string>(name)!));

    private static RunFlags Number<T>(string name, string description, Func<RunConfig, T, RunConfig> apply) =>
        new(new Option<T>(name) { Description = description }, (p, c) => apply(c, p.GetValue<T>(name)!));

    private static RunFlags Switch(string name, string description, Func<RunConfig, RunConfig> apply) =>
        new(new Option<bool>(name) { Description = description }, (p, c) => p.GetValue<bool>(name) ? apply(c) : c);
}

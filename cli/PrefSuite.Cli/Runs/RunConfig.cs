using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Sampling;
using YamlDotNet.Serialization;

namespace PrefSuite.Cli.Runs;

/// <summary>
/// A run as a file (JSON or YAML, snake_case keys) or as flags: every flag of `prefsuite run` has a key here.
/// Unknown keys and out-of-range values are errors that name the key. Defaults are the demo's (DEMO-TASK.md).
/// </summary>
public sealed record RunConfig
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    public string? RunId { get; init; }

    /// <summary>Folder of runs, models and caches (the artifact store).</summary>
    public string RunsDir { get; init; } = "prefsuite-runs";

    /// <summary>Demo-task prompts to generate (ignored when prompts_file is given).</summary>
    [Range(1, 1_000_000)]
    public int Prompts { get; init; } = 500;

    /// <summary>JSONL of {"prompt_id", "prompt"} rows to use instead of demo prompts.</summary>
    public string? PromptsFile { get; init; }

    public ulong DemoSeed { get; init; } = 1234;

    /// <summary>N: samples per prompt.</summary>
    [Range(2, 1024)]
    public int Samples { get; init; } = 16;

    [Range(0.0, 100.0)]
    public double Temperature { get; init; } = 1.0;

    [Range(0.0, 1.0)]
    public double TopP { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens when sampling; 0 keeps all.</summary>
    [Range(0, 1_000_000)]
    public int TopK { get; init; }

    [Range(1, 65536)]
    public int MaxNewTokens { get; init; } = 10;

    public ulong Seed { get; init; } = 9;

    /// <summary>
    /// For a policy trained on reward-conditioned augmented pairs: condition each prompt on the best score when sampling,
    /// "system" or "no-system" (as `prefsuite augment` wrote the goal); null: no conditioning.
    /// </summary>
    public string? ConditionOnScore { get; init; }

    /// <summary>sweet-spot | max-min | position | max-min-of-k-random | random.</summary>
    public string Strategy { get; init; } = "sweet-spot";

    public string? Chosen { get; init; }

    public string? Rejected { get; init; }

    [Range(1, 1024)]
    public int K { get; init; } = 5;

    [Range(1, 1024)]
    public int PairsPerPrompt { get; init; } = 1;

    /// <summary>bayes | mean | max | min, or null to keep every pair.</summary>
    public string? Aggregate { get; init; }

    /// <summary>Fraction (0.1 or "10%") or count (500) of pairs kept by probability; null: 0.1 with aggregate, else all.</summary>
    [JsonConverter(typeof(NumberOrTextConverter))]
    public string? Keep { get; init; }

    public bool RouteSmallMargins { get; init; }

    [Range(0.0, 1.0)]
    public double RouteQuantile { get; init; } = 1.0 / 3.0;

    public bool SkipDenoise { get; init; }

    /// <summary>Train after selecting.</summary>
    public bool Train { get; init; } = true;

    /// <summary>
    /// Iterative rounds: after training, the new policy samples, and its samples are scored, denoised, selected and
    /// trained on again, against itself as the reference (iterative DPO). 1: one round.
    /// </summary>
    [Range(1, 1000)]
    public int Rounds { get; init; } = 1;

    /// <summary>
    /// Less is More: after each round's first selection, train a copy of the policy for one epoch on this share of the
    /// candidate pairs (picked at random), and select again with its implicit rewards aggregated with the external
    /// margins (aggregate, bayes by default, keeping 10% unless keep says otherwise). 0: off.
    /// </summary>
    [Range(0.0, 1.0)]
    public double ImplicitWarmup { get; init; }

    /// <summary>With rounds: each round takes the next slice of the prompts (prompts / rounds each) instead of all of them.</summary>
    public bool FreshPrompts { get; init; }

    /// <summary>Loss terms: "sigmoid", "sigmoid:1,sft:0.1", "rdpo", ….</summary>
    public string Losses { get; init; } = "sigmoid";

    [Range(1e-9, 1e9)]
    public double Beta { get; init; } = 0.1;

    /// <summary>Label-noise rate ε of the robust loss, in [0, 0.5); null: the trainer's default (0.1). 0 is the value 0.</summary>
    public double? Epsilon { get; init; }

    /// <summary>ODPO's offset scale α ≥ 0; null: the trainer's default (1).</summary>
    public double? Alpha { get; init; }

    /// <summary>RDPO's and ML-RDPO's rating-gap scale β₁ &gt; 0; null: the trainer's default (5, sized for a 1–10 scale).</summary>
    public double? Beta1 { get; init; }

    /// <summary>ML-RDPO's weight λ ≥ 0 of the rating-gap term; null: the trainer's default (1).</summary>
    public double? MlRdpoLambda { get; init; }

    [Range(1, 1000)]
    public int Epochs { get; init; } = 3;

    [Range(1e-9, 10)]
    public double LearningRate { get; init; } = 3e-4;

    [Range(1, 65536)]
    public int BatchSize { get; init; } = 32;

    /// <summary>shuffled | curriculum (the selection's easy → hard order); null: curriculum when small margins are routed, else shuffled.</summary>
    public string? PairOrder { get; init; }

    /// <summary>Micro-batches per optimizer step (same result, less memory).</summary>
    [Range(1, 4096)]
    public int GradientAccumulation { get; init; } = 1;

    /// <summary>LoRA rank for Hugging Face policies; 0 trains every weight.</summary>
    [Range(0, 4096)]
    public int LoraRank { get; init; }

    [Range(1e-6, 1e6)]
    public double LoraAlpha { get; init; } = 16;

    [Range(0.0, 0.99)]
    public double LoraDropout { get; init; } = 0.05;

    /// <summary>Projections that get adapters: q_proj, …, or all-linear.</summary>
    public IReadOnlyList<string> LoraTargets { get; init; } = ["q_proj", "k_proj", "v_proj", "o_proj"];

    /// <summary>
    /// DPO pairs kept out of training to measure implicit-reward accuracy after it (what a run without a ground-truth
    /// task reports); null: 200 (at most a fifth of the pairs) for a Hugging Face policy, none for the built-in demo.
    /// </summary>
    [Range(0, 1_000_000)]
    public int? HeldOutPairs { get; init; }

    /// <summary>Held-out demo prompts evaluated before and after training (0: none).</summary>
    [Range(0, 100_000)]
    public int EvaluationPrompts { get; init; } = 200;

    /// <summary>SFT steps of the default policy when the runs folder has none.</summary>
    [Range(1, 10_000_000)]
    public int SftSteps { get; init; } = 1500;

    /// <summary>Noise σ of the simulated reward model (the demo's stand-in for a real reward model).</summary>
    [Range(0.0, 10.0)]
    public double RewardNoise { get; init; } = 0.1;

    /// <summary>Share of prompts whose simulated ranking is reversed.</summary>
    [Range(0.0, 1.0)]
    public double RewardFlip { get; init; }

    /// <summary>Scorer specs replacing the simulated reward model, e.g. "onnx:/models/rm" or "programmatic:sorting".</summary>
    public IReadOnlyList<string> Scorers { get; init; } = [];

    /// <summary>Hugging Face *ForSequenceClassification reward-model folders (each adds an hf: scorer).</summary>
    public IReadOnlyList<string> RewardModels { get; init; } = [];

    /// <summary>A policy version, alias or checkpoint folder; null uses (and if needed trains) the default policy.</summary>
    public string? Policy { get; init; }

    /// <summary>
    /// Where responses come from: "policy" (the run's policy, built-in or Hugging Face, in this process) or "openai"
    /// (an OpenAI-compatible server at endpoint serving model; training, if any, starts from policy).
    /// </summary>
    public string Sampler { get; init; } = SamplingBackendOptions.PolicyBackend;

    /// <summary>With sampler openai: the server's base address, e.g. http://localhost:8000/v1.</summary>
    public string? Endpoint { get; init; }

    /// <summary>With sampler openai: the model name the server serves.</summary>
    public string? Model { get; init; }

    /// <summary>With sampler openai: the key the server wants ("Authorization: Bearer KEY").</summary>
    public string? EndpointApiKey { get; init; }

    /// <summary>With sampler openai: seconds one generation request may take.</summary>
    [Range(1.0, 86_400.0)]
    public double RequestTimeout { get; init; } = 600;

    /// <summary>With sampler openai: samples asked of one request (0: all N at once; 1 for servers without n).</summary>
    [Range(0, 1024)]
    public int ChoicesPerRequest { get; init; }

    /// <summary>With sampler openai: text prompts per /v1/completions request.</summary>
    [Range(1, 1024)]
    public int PromptsPerRequest { get; init; } = 16;

    /// <summary>Threads for the models; null: 1 for the built-in demo model (as fast and steadier at its size), every core for Hugging Face models.</summary>
    [Range(1, 256)]
    public int? Threads { get; init; }

    /// <summary>Whether the policy is a Hugging Face checkpoint folder.</summary>
    public bool HuggingFacePolicy => Policy is not null && Models.HuggingFace.HfCheckpoint.IsCheckpoint(Policy);

    /// <summary>The threads the models use.</summary>
    public int EffectiveThreads => Threads ?? (HuggingFacePolicy || RewardModels.Count > 0 ? Environment.ProcessorCount : 1);

    public static RunConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: the run config does not exist.");
        }

        var text = File.ReadAllText(path);
        var json = path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            ? new SerializerBuilder().JsonCompatible().Build().Serialize(new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build().Deserialize<object>(text) ?? new Dictionary<string, object>())
            : text;
        RunConfig config;
        try
        {
            config = JsonSerializer.Deserialize<RunConfig>(json, Json) ?? new RunConfig();
        }
        catch (JsonException error)
        {
            var where = error.Path is { Length: > 1 } field ? $"field '{field.TrimStart('$', '.')}'" : "the file";
            throw new Data.DataFormatException(path, 0, null, $"{where}: {error.Message.Split(" Path:", 2)[0]}");
        }

        config.Validate(path);
        return config;
    }

    /// <summary>Checks every value; the error names the key.</summary>
    public RunConfig Validate(string source = "run config")
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            var first = results[0];
            throw new ArgumentException($"{source}: {JsonNamingPolicy.SnakeCaseLower.ConvertName(first.MemberNames.FirstOrDefault() ?? "value")}: {first.ErrorMessage}");
        }

        if (LossConstants().Problems() is { Count: > 0 } loss)
        {
            throw new ArgumentException($"{source}: {LossKey(loss[0].Property)} {loss[0].Problem}");
        }

        if (SamplerOptions().Problems(ConfigKey) is { Count: > 0 } sampling)
        {
            throw new ArgumentException($"{source}: {sampling[0]}");
        }

        if (Rounds > 1 && !Train)
        {
            throw new ArgumentException($"{source}: rounds: more than one round needs training (each round samples with the policy the round before trained); drop train: false (--no-train) or set rounds to 1");
        }

        if (ImplicitWarmup > 0 && SamplerOptions().IsOpenAi && Policy is null)
        {
            throw new ArgumentException($"{source}: implicit_warmup: the warm-up trains the policy the server samples; set policy to its checkpoint folder");
        }

        if (Rounds > 1 && SamplerOptions().IsOpenAi)
        {
            throw new ArgumentException($"{source}: rounds: with sampler openai the server samples one fixed model, so a trained policy cannot sample the next round; use sampler policy");
        }

        if (SamplerOptions().IsOpenAi && Train && Policy is null)
        {
            throw new ArgumentException($"{source}: policy: with sampler openai, training starts from the policy the server samples; set policy to its checkpoint folder, or train: false (--no-train) to stop at the dataset");
        }

        if (!SamplerOptions().IsOpenAi && (Endpoint ?? Model ?? EndpointApiKey) is not null)
        {
            throw new ArgumentException($"{source}: endpoint, model and endpoint_api_key apply to sampler openai; sampler is '{Sampler}'");
        }

        try
        {
            _ = Settings();

            // The prompts file is read through once (errors name its line and field) without being held: a stack run
            // streams it again as it submits. A console app has no synchronization context to block.
            foreach (var _ in FilePromptsAsync().ToBlockingEnumerable())
            {
            }
        }
        catch (FormatException error)
        {
            throw new ArgumentException($"{source}: {error.Message}", error);
        }

        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The sampler settings of this run.</summary>
    public SamplingBackendOptions SamplerOptions() => new()
    {
        Backend = Sampler,
        Endpoint = Endpoint ?? string.Empty,
        Model = Model ?? string.Empty,
        ApiKey = EndpointApiKey ?? string.Empty,
        RequestTimeout = TimeSpan.FromSeconds(RequestTimeout),
        ChoicesPerRequest = ChoicesPerRequest,
        PromptsPerRequest = PromptsPerRequest,
    };

    /// <summary>The loss constants of this run, defaults where unset (validation reads them; the spec sends only those set).</summary>
    private Science.Losses.LossSettings LossConstants()
    {
        var training = new TrainOptions { Beta = Beta };
        Stages.Training.LossOptionsMapping.SetConstants(training, Epsilon, Alpha, Beta1, MlRdpoLambda);
        return Stages.Training.LossOptionsMapping.Read(training);
    }

    private static string LossKey(string property) => property switch
    {
        nameof(Science.Losses.LossSettings.Lambda) => "ml_rdpo_lambda",
        _ => JsonNamingPolicy.SnakeCaseLower.ConvertName(property),
    };

    private static string ConfigKey(string property) => property switch
    {
        nameof(SamplingBackendOptions.Backend) => "sampler",
        nameof(SamplingBackendOptions.ApiKey) => "endpoint_api_key",
        _ => JsonNamingPolicy.SnakeCaseLower.ConvertName(property),
    };

    /// <summary>The run as the pipeline (embedded or stack) takes it, a prompts file's prompts included.</summary>
    public RunSpec ToSpec()
    {
        var spec = Settings();
        spec.Prompts.Add(FilePromptsAsync().ToBlockingEnumerable()); // a console app has no synchronization context to block
        return spec;
    }

    /// <summary>
    /// The prompts file's prompts one at a time, as they are read (JSONL or Parquet, string or conversational, as
    /// <see cref="Data.Formats.PromptReader"/> reads them; none without a file). A file without prompts is refused.
    /// </summary>
    public async IAsyncEnumerable<Prompt> FilePromptsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (PromptsFile is null)
        {
            yield break;
        }

        var any = false;
        await foreach (var row in Data.Formats.PromptReader.ReadAsync(PromptsFile, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            any = true;
            yield return Stages.Mapping.PromptMapping.ToProto(row.PromptId, row.Prompt);
        }

        if (!any)
        {
            throw new Data.DataFormatException(PromptsFile, 0, null, "the file has no prompts");
        }
    }

    /// <summary>The spec without a prompts file's prompts (<see cref="FilePromptsAsync"/> reads them).</summary>
    public RunSpec Settings()
    {
        var spec = new RunSpec
        {
            RunId = RunId ?? string.Empty,
            DemoPrompts = PromptsFile is null ? Prompts : 0,
            DemoSeed = DemoSeed,
            Sampling = new SamplingParams
            {
                N = Samples, Temperature = Temperature, TopP = TopP, TopK = TopK, MaxNewTokens = MaxNewTokens, Seed = Seed,
                GoalConditioning = ConditionOnScoreValue(),
            },
            Policy = Policy is null ? null : new PolicyRef { Checkpoint = SamplerSettings.ResolvePolicy(Policy) },
            Strategy = new StrategyOptions
            {
                Strategy = Strategy switch
                {
                    "sweet-spot" => PairStrategy.SweetSpot,
                    "max-min" => PairStrategy.MaxMin,
                    "position" => PairStrategy.Position,
                    "max-min-of-k-random" => PairStrategy.MaxMinOfKRandom,
                    "random" => PairStrategy.Random,
                    _ => throw new FormatException($"strategy: '{Strategy}' is not sweet-spot, max-min, position, max-min-of-k-random or random"),
                },
                ChosenPosition = Chosen ?? string.Empty,
                RejectedPosition = Rejected ?? string.Empty,
                K = K,
                PairsPerPrompt = PairsPerPrompt,
                Seed = Seed,
            },
            Dataset = Dataset(),
            SkipDenoise = SkipDenoise,
            EvaluationPrompts = Train ? EvaluationPrompts : 0,
            Rounds = Rounds > 1 ? Rounds : 0, // 0: one round, the spec of a run without rounds
            FreshPrompts = Rounds > 1 && FreshPrompts,
            ImplicitWarmup = ImplicitWarmup,
        };
        if (Train)
        {
            var training = new TrainOptions
            {
                Beta = Beta, Epochs = Epochs, LearningRate = LearningRate, BatchSize = BatchSize, Seed = Seed, GradientAccumulation = GradientAccumulation,
                PairOrder = PairOrder switch
                {
                    null => RouteSmallMargins ? Contracts.V1.PairOrder.Curriculum : Contracts.V1.PairOrder.Shuffled,
                    "shuffled" => Contracts.V1.PairOrder.Shuffled,
                    "curriculum" => Contracts.V1.PairOrder.Curriculum,
                    _ => throw new FormatException($"pair_order: '{PairOrder}' is not shuffled or curriculum"),
                },
            };
            if (LoraRank > 0)
            {
                training.Lora = new LoraOptions { Rank = LoraRank, Alpha = LoraAlpha, Dropout = LoraDropout };
                training.Lora.TargetModules.Add(LoraTargets);
            }

            spec.HeldOutPairs = HeldOutPairs ?? (HuggingFacePolicy ? 200 : 0);
            Stages.Training.LossOptionsMapping.SetConstants(training, Epsilon, Alpha, Beta1, MlRdpoLambda);
            try
            {
                Stages.Training.LossOptionsMapping.AddTerms(training, Science.Losses.LossTerm.ParseList(Losses));
            }
            catch (FormatException error)
            {
                throw new FormatException($"losses: {error.Message}", error);
            }

            spec.Training = training;
        }

        return spec;
    }

    private GoalConditioning ConditionOnScoreValue()
    {
        try
        {
            return GoalConditioningPrompts.Parse(ConditionOnScore);
        }
        catch (FormatException error)
        {
            throw new FormatException($"condition_on_score: {error.Message}", error);
        }
    }

    private DatasetOptions Dataset()
    {
        var options = new DatasetOptions { RouteSmallMargins = RouteSmallMargins, RouteQuantile = RouteQuantile };
        if (Aggregate is not null)
        {
            options.Aggregation = Science.Margins.MarginAggregation.Parse(Aggregate) switch
            {
                Science.Margins.AggregationMethod.Mean => Aggregation.Mean,
                Science.Margins.AggregationMethod.Max => Aggregation.Max,
                Science.Margins.AggregationMethod.Min => Aggregation.Min,
                _ => Aggregation.Bayes,
            };
        }

        var keep = Keep is not null ? Science.Margins.KeepRule.Parse(Keep) : Aggregate is not null || ImplicitWarmup > 0 ? Science.Margins.KeepRule.Default : Science.Margins.KeepRule.All;
        if (keep.Count is { } count)
        {
            options.KeepCount = count;
        }
        else
        {
            options.KeepFraction = keep.Fraction ?? 1;
        }

        return options;
    }

    /// <summary>
    /// The run's spec for a stack, without a prompts file's prompts (<see cref="FilePromptsAsync"/> streams them as the
    /// run is submitted): the stack's scoring service holds the models, so the run names scorers by id — each
    /// --scorer taken as an id the service lists, each --reward-model folder as "hf:" and its folder name (the id the
    /// service gives a reward model deployed from a folder of that name).
    /// </summary>
    public RunSpec ToStackSpec()
    {
        var spec = Settings();
        spec.Scorers.Add(Scorers);
        spec.Scorers.Add(RewardModels.Select(folder => "hf:" + Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)))));
        return spec;
    }

    /// <summary>The scorers this run uses: the configured ones and reward models, or the simulated reward model of the demo.</summary>
    public IReadOnlyList<string> EffectiveScorers()
    {
        var scorers = Scorers.Concat(RewardModels.Select(folder => "hf:" + Path.GetFullPath(folder))).ToArray();
        return scorers.Length > 0 ? scorers : [string.Create(System.Globalization.CultureInfo.InvariantCulture, $"simulated:sorting?noise={RewardNoise}&flip={RewardFlip}&seed=3")];
    }
}

/// <summary>Reads a JSON number or string into a string property (YAML turns keep: 0.1 into a number, "10%" stays text).</summary>
internal sealed class NumberOrTextConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"expected a number or a string, found {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}

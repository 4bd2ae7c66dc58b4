using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PrefSuite.Cli.Runs;
using PrefSuite.Contracts.V1;
using PrefSuite.Science.Demo;
using PrefSuite.Models.Policy;

namespace PrefSuite.Cli.Tests;

/// <summary><c>prefsuite sample</c> and <c>prefsuite run</c> with <c>--sampler openai</c>, against a local OpenAI-compatible server.</summary>
public sealed class OpenAiSamplerCommandTests
{
    private static (int, JsonNode) Answer(string path, JsonObject body) =>
        (200, path == "/v1/chat/completions" ? OpenAiTestServer.Chat(body) : OpenAiTestServer.Completion(body, (prompt, i) => $"{prompt} {i}"));

    [Fact]
    public async Task SampleSendsMessagePromptsToChatAndTextPromptsToCompletionsWithEveryFlag()
    {
        using var cli = new CliHarness();
        await using var server = new OpenAiTestServer(Answer);
        var prompts = cli.Write("prompts.jsonl", """
            {"prompt_id": "c1", "prompt": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}], "responses": [{"text": "unused"}]}
            {"prompt_id": "t1", "prompt": "sort 3 1 =", "responses": [{"text": "unused"}]}
            """);

        var (code, output, error) = await cli.RunAsync(
            "sample", "--sampler", "openai", "--endpoint", server.Endpoint, "--model", "served", "--api-key", "k-123", "--prompts-file", prompts,
            "-n", "2", "--seed", "5", "--temperature", "0.5", "--max-new-tokens", "7", "-o", cli.PathOf("sampled.jsonl"));

        Assert.True(code == 0, error + output);
        Assert.Contains($"sampled 2 prompts × 2 from model served at {server.Endpoint}/", error, StringComparison.Ordinal);
        var rows = cli.Lines("sampled.jsonl").Select(l => JsonNode.Parse(l)!).ToDictionary(r => r["prompt_id"]!.GetValue<string>());
        Assert.Equal(["hello #0", "hello #1"], rows["c1"]["responses"]!.AsArray().Select(r => r!["text"]!.GetValue<string>()));
        Assert.Equal(["sort 3 1 = 0", "sort 3 1 = 1"], rows["t1"]["responses"]!.AsArray().Select(r => r!["text"]!.GetValue<string>()));
        Assert.All(rows["c1"]["responses"]!.AsArray(), r => Assert.Equal(-0.75, r!["logprob"]!.GetValue<double>()));
        Assert.All(rows["t1"]["responses"]!.AsArray(), r => Assert.Equal(-1.5, r!["logprob"]!.GetValue<double>()));

        Assert.Equal(["/v1/chat/completions", "/v1/completions"], server.Requests.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.All(server.Requests, r =>
        {
            Assert.Equal("Bearer k-123", r.Authorization);
            Assert.Equal("served", r.Body["model"]!.GetValue<string>());
            Assert.Equal(2, r.Body["n"]!.GetValue<int>());
            Assert.Equal(5, r.Body["seed"]!.GetValue<long>());
            Assert.Equal(7, r.Body["max_tokens"]!.GetValue<int>());
            Assert.Equal(0.5, r.Body["temperature"]!.GetValue<double>());
        });
        var chat = server.Requests.Single(r => r.Path == "/v1/chat/completions").Body;
        Assert.Equal("""[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}]""", chat["messages"]!.ToJsonString());
        Assert.Equal(["sort 3 1 ="], server.Requests.Single(r => r.Path == "/v1/completions").Body["prompt"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Theory]
    [InlineData("system")]
    [InlineData("no-system")]
    public async Task SampleConditionsWhatTheServerSeesOnTheBestScoreAndKeepsThePromptInItsOutput(string variant)
    {
        const string goal = "You are an assistant that generates responses for the instruction while implicitly achieving the following " +
            "target scores (on a scale of 1-10, where 1 is lowest and 10 is highest):\nOverall score: 10.";
        using var cli = new CliHarness();
        await using var server = new OpenAiTestServer(Answer);
        var prompts = cli.Write("prompts.jsonl", """
            {"prompt_id": "c1", "prompt": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]}
            {"prompt_id": "t1", "prompt": "sort 3 1 ="}
            """);

        var (code, output, error) = await cli.RunAsync(
            "sample", "--sampler", "openai", "--endpoint", server.Endpoint, "--model", "served", "--prompts-file", prompts,
            "-n", "1", "--condition-on-score", variant, "-o", cli.PathOf("sampled.jsonl"));

        Assert.True(code == 0, error + output);
        var goalJson = JsonSerializer.Serialize(goal)[1..^1];
        var chats = server.Requests.Where(r => r.Path == "/v1/chat/completions").Select(r => r.Body["messages"]!.ToJsonString()).Order(StringComparer.Ordinal).ToArray();
        if (variant == "system")
        {
            // A text prompt becomes [system goal, user text], as augment writes it, so it goes to the chat endpoint.
            Assert.Equal(
                [
                    $$"""[{"role":"system","content":"{{goalJson}}"},{"role":"user","content":"sort 3 1 ="}]""",
                    $$"""[{"role":"system","content":"{{goalJson}}\n\nbe brief"},{"role":"user","content":"hello"}]""",
                ],
                chats);
        }
        else
        {
            Assert.Equal([$$"""[{"role":"system","content":"be brief"},{"role":"user","content":"{{goalJson}}\n\nhello"}]"""], chats);
            Assert.Equal([goal + "\n\nsort 3 1 ="], server.Requests.Single(r => r.Path == "/v1/completions").Body["prompt"]!.AsArray().Select(p => p!.GetValue<string>()));
        }

        var rows = cli.Lines("sampled.jsonl").Select(l => JsonNode.Parse(l)!).ToDictionary(r => r["prompt_id"]!.GetValue<string>());
        Assert.Equal("sort 3 1 =", rows["t1"]["prompt"]!.GetValue<string>());
        Assert.Equal("""[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}]""", rows["c1"]["prompt"]!.ToJsonString());
    }

    [Fact]
    public void TheRunConfigKeyConditionOnScoreReachesTheSamplingParameters()
    {
        using var cli = new CliHarness();
        Assert.Equal(GoalConditioning.NoSystem, RunConfig.Load(cli.Write("run.yaml", "condition_on_score: no-system\n")).ToSpec().Sampling.GoalConditioning);
        Assert.Equal(GoalConditioning.Unspecified, new RunConfig().ToSpec().Sampling.GoalConditioning);
        var bad = cli.Write("bad.yaml", "condition_on_score: user\n");
        Assert.StartsWith($"{bad}: condition_on_score:", Assert.Throws<ArgumentException>(() => RunConfig.Load(bad)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SampleNamesTheFlagThatIsMissingOrOutOfPlace()
    {
        using var cli = new CliHarness();
        var output = cli.PathOf("out.jsonl");

        var (missing, _, missingError) = await cli.RunAsync("sample", "--sampler", "openai", "-o", output);
        var (relative, _, relativeError) = await cli.RunAsync("sample", "--sampler", "openai", "--endpoint", "localhost:8000", "--model", "m", "-o", output);
        var (misplaced, _, misplacedError) = await cli.RunAsync("sample", "--endpoint", "http://localhost:8000/v1", "--prompts", "2", "-o", output);
        var (policyWithServer, _, policyWithServerError) = await cli.RunAsync("sample", "--sampler", "openai", "--endpoint", "http://localhost:8000/v1", "--model", "m", "--policy", "default", "-o", output);
        var (unknown, _, unknownError) = await cli.RunAsync("sample", "--sampler", "vllm", "-o", output);

        Assert.Equal(2, missing);
        Assert.Contains("--endpoint is required with the openai backend", missingError, StringComparison.Ordinal);
        Assert.Contains("--model is required with the openai backend", missingError, StringComparison.Ordinal);
        Assert.Equal(2, relative);
        Assert.Contains("--endpoint must be an absolute http or https address, got 'localhost:8000'", relativeError, StringComparison.Ordinal);
        Assert.Equal(2, misplaced);
        Assert.Contains("--endpoint does not apply to --sampler policy", misplacedError, StringComparison.Ordinal);
        Assert.Equal(2, policyWithServer);
        Assert.Contains("--policy does not apply to --sampler openai", policyWithServerError, StringComparison.Ordinal);
        Assert.NotEqual(0, unknown);
        Assert.Contains("vllm", unknownError, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task AServerErrorReachesTheUserNamingTheEndpointStatusAndMessage()
    {
        using var cli = new CliHarness();
        await using var server = new OpenAiTestServer((_, _) => (404, JsonNode.Parse("""{"error": {"message": "The model `served` does not exist.", "type": "NotFoundError"}}""")!));

        var (code, _, error) = await cli.RunAsync("sample", "--sampler", "openai", "--endpoint", server.Endpoint, "--model", "served", "--prompts", "3", "-o", cli.PathOf("out.jsonl"));

        Assert.Equal(2, code);
        Assert.Equal($"error: POST {server.Endpoint}/completions answered 404 Not Found: The model `served` does not exist.", error.Trim());
        Assert.Single(server.Requests); // a 404 is not retried
    }

    [Fact]
    public async Task ARelativeCheckpointFolderIsAPolicy()
    {
        using var cli = new CliHarness();
        string version;
        using (var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 32, Heads = 2 }, 7))
        {
            version = policy.Save(cli.PathOf("checkpoint"), "test")[..12];
        }

        var relative = Path.GetRelativePath(Environment.CurrentDirectory, cli.PathOf("checkpoint"));
        Assert.False(Path.IsPathRooted(relative));

        var (code, output, error) = await cli.RunAsync("sample", "--runs-dir", cli.PathOf("runs"), "--policy", relative, "--prompts", "3", "-n", "2", "-o", cli.PathOf("out.jsonl"));

        Assert.True(code == 0, error + output);
        Assert.Contains($"sampled 3 prompts × 2 with policy {version}", error, StringComparison.Ordinal);
        Assert.Equal(cli.PathOf("checkpoint"), SamplerSettings.ResolvePolicy(relative));
        Assert.Equal("default", SamplerSettings.ResolvePolicy("default"));
        Assert.Equal("./no-such-folder", SamplerSettings.ResolvePolicy("./no-such-folder"));
    }

    [Fact]
    public async Task ARunSamplesFromTheServerItsConfigNamesAndTrainsNoPolicyItDoesNotNeed()
    {
        using var cli = new CliHarness();
        var sorted = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var server = new OpenAiTestServer((_, body) => (200, OpenAiTestServer.Completion(body, (prompt, i) =>
        {
            var digits = SortingTask.ParseDigits(prompt).Order().Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray();
            return string.Join(' ', i switch { 0 => digits, 1 => digits.Reverse(), _ => digits[..1] });
        }, finishReason: "stop")));
        var config = cli.Write("run.yaml", $"""
            run_id: o1
            runs_dir: {cli.PathOf("runs")}
            prompts: 6
            samples: 3
            train: false
            sampler: openai
            endpoint: {server.Endpoint}
            model: served
            prompts_per_request: 4
            """);

        var (code, output, error) = await cli.RunAsync("run", "--config", config, "--quiet", "--no-report", "--endpoint-api-key", "secret-1");

        Assert.True(code == 0, error + output);
        var run = Run.Parser.ParseFrom(File.ReadAllBytes(cli.PathOf("runs/runs/o1/run.pb")));
        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Equal([4, 2], server.Requests.Select(r => r.Body["prompt"]!.AsArray().Count).OrderDescending());
        Assert.All(server.Requests, r => Assert.Equal("Bearer secret-1", r.Authorization));
        var pairs = File.ReadAllLines(cli.PathOf("runs/runs/o1/pairs.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.NotEmpty(pairs);
        Assert.All(pairs, pair => Assert.Equal(
            string.Join(' ', SortingTask.ParseDigits(pair.GetProperty("prompt").GetString()!).Order()),
            pair.GetProperty("chosen").GetString()));
        Assert.False(Directory.Exists(cli.PathOf("runs/models")), "no policy was needed, none should have been trained");
    }

    [Fact]
    public async Task ARunConfigNamesTheSamplerKeysItNeeds()
    {
        using var cli = new CliHarness();
        var runs = cli.PathOf("runs");

        var (trains, _, trainsError) = await cli.RunAsync("run", "--runs-dir", runs, "--sampler", "openai", "--endpoint", "http://localhost:8000/v1", "--model", "m");
        var (noModel, _, noModelError) = await cli.RunAsync("run", "--config", cli.Write("c.json", """{"sampler": "openai", "endpoint": "http://localhost:8000/v1", "train": false}"""));
        var (misplaced, _, misplacedError) = await cli.RunAsync("run", "--runs-dir", runs, "--model", "m");
        var (stack, _, stackError) = await cli.RunAsync("run", "--stack", "http://localhost:5100", "--sampler", "openai", "--endpoint", "http://localhost:8000/v1", "--model", "m", "--no-train");

        Assert.Equal(2, trains);
        Assert.Contains("policy: with sampler openai, training starts from the policy the server samples", trainsError, StringComparison.Ordinal);
        Assert.Equal(2, noModel);
        Assert.Contains("model is required with the openai backend", noModelError, StringComparison.Ordinal);
        Assert.Equal(2, misplaced);
        Assert.Contains("endpoint, model and endpoint_api_key apply to sampler openai", misplacedError, StringComparison.Ordinal);
        Assert.Equal(2, stack);
        Assert.Contains("--sampler openai samples from this process", stackError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(runs));
    }
}

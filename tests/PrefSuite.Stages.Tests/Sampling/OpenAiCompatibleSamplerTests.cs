using System.Net;
using System.Text.Json.Nodes;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Sampling;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Tests.Sampling;

public sealed class OpenAiCompatibleSamplerTests
{
    private static readonly SamplingBackendOptions Options = new() { Backend = "openai", Endpoint = "http://server.test/v1", Model = "qwen-test" };

    private static Prompt Conversation(string id, params (string Role, string Content)[] messages)
    {
        var prompt = new Prompt { PromptId = id };
        prompt.Messages.Add(messages.Select(m => new ChatMessage { Role = m.Role, Content = m.Content }));
        return prompt;
    }

    /// <summary>A chat answer whose choice i says "{last message}/{seed}/{i}", listed in reverse index order; token log-probs -0.5·(i+1) and -0.25.</summary>
    private static HttpResponseMessage ChatAnswer(JsonObject request, bool logprobs = true)
    {
        var last = request["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>();
        var seed = request["seed"]!.GetValue<long>();
        var choices = Enumerable.Range(0, request["n"]!.GetValue<int>()).Reverse().Select(i => new
        {
            index = i,
            message = new { role = "assistant", content = $"{last}/{seed}/{i}" },
            logprobs = logprobs ? new { content = new[] { new { token = "x", logprob = -0.5 * (i + 1), top_logprobs = Array.Empty<object>() }, new { token = "y", logprob = -0.25, top_logprobs = Array.Empty<object>() } } } : null,
            finish_reason = i == 0 ? "stop" : "length",
        });
        return ScriptedServer.Json(new { id = "chatcmpl-1", @object = "chat.completion", created = 1, model = request["model"]!.GetValue<string>(), choices });
    }

    /// <summary>A completions answer whose choice p·n+i says "{prompt p}/{i}", shuffled; token log-probs -1, null, -0.5.</summary>
    private static HttpResponseMessage CompletionAnswer(JsonObject request, bool logprobs = true)
    {
        var prompts = request["prompt"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();
        var n = request["n"]!.GetValue<int>();
        var choices = Enumerable.Range(0, prompts.Length * n).OrderBy(i => (i * 7) % 5).Select(i => new
        {
            text = $"{prompts[i / n]}/{i % n}",
            index = i,
            logprobs = logprobs ? new { tokens = new[] { "a", "b", "c" }, token_logprobs = new double?[] { -1, null, -0.5 } } : null,
            finish_reason = "length",
        });
        return ScriptedServer.Json(new { id = "cmpl-1", @object = "text_completion", created = 1, model = "m", choices });
    }

    private static HttpResponseMessage Answer(string path, JsonObject request) =>
        path.EndsWith("/chat/completions", StringComparison.Ordinal) ? ChatAnswer(request) : CompletionAnswer(request);

    [Fact]
    public async Task MessagePromptsGoToTheChatEndpointOneRequestEachWithEveryParameter()
    {
        var server = new ScriptedServer(Answer);
        using var http = server.Client();
        Prompt[] prompts =
        [
            Conversation("a", ("system", "be brief"), ("user", "hello")),
            new() { PromptId = "b", Text = "plain text" },
            Conversation("c", ("user", "bye")),
        ];
        var parameters = new SamplingParams { N = 2, Temperature = 0.7, TopP = 0.9, MaxNewTokens = 12, Seed = 5, Stop = { "\n\n" } };

        var (responses, version) = await new OpenAiCompatibleSampler(http, Options).SampleAsync(prompts, parameters, new PolicyRef { Checkpoint = "not-sent" });

        Assert.Equal("qwen-test", version);
        var chats = server.Requests.Where(r => r.Path == "/v1/chat/completions").Select(r => r.Body).OrderBy(b => b["messages"]!.AsArray().Count).ToArray();
        Assert.Equal(2, chats.Length);
        Assert.Single(server.Requests, r => r.Path == "/v1/completions");
        var first = chats[1];
        Assert.Equal("qwen-test", first["model"]!.GetValue<string>());
        Assert.Equal("""[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}]""", first["messages"]!.ToJsonString());
        Assert.Equal(2, first["n"]!.GetValue<int>());
        Assert.Equal(0.7, first["temperature"]!.GetValue<double>());
        Assert.Equal(0.9, first["top_p"]!.GetValue<double>());
        Assert.Equal(12, first["max_tokens"]!.GetValue<int>());
        Assert.Equal(5, first["seed"]!.GetValue<long>());
        Assert.Equal("""["\n\n"]""", first["stop"]!.ToJsonString());
        Assert.True(first["logprobs"]!.GetValue<bool>());
        Assert.False(first.ContainsKey("top_k"));
        Assert.False(first.ContainsKey("prompt"));

        Assert.Equal(["hello/5/0", "hello/5/1"], responses[0].Select(r => r.Text));
        Assert.Equal(["plain text/0", "plain text/1"], responses[1].Select(r => r.Text));
        Assert.Equal(["bye/5/0", "bye/5/1"], responses[2].Select(r => r.Text));
        Assert.Equal([0, 1], responses[0].Select(r => r.SampleIndex));
        Assert.Equal(["eos", "length"], responses[0].Select(r => r.FinishReason));
        Assert.Equal([-0.75, -1.25], responses[0].Select(r => r.Logprob));
        Assert.Equal([-1f, -0.25f], responses[0][1].TokenLogprobs);
    }

    [Fact]
    public async Task TextPromptsAreBatchedAndChoicesNumberedPromptTimesNPlusSample()
    {
        var server = new ScriptedServer(Answer);
        using var http = server.Client();
        var prompts = Enumerable.Range(0, 5).Select(i => new Prompt { PromptId = $"p{i}", Text = $"t{i}" }).ToArray();

        var (responses, _) = await new OpenAiCompatibleSampler(http, new SamplingBackendOptions { Model = "m", PromptsPerRequest = 2 })
            .SampleAsync(prompts, new SamplingParams { N = 3, Temperature = 1, MaxNewTokens = 4, TopK = 20 }, null);

        var batches = server.Requests.Select(r => r.Body["prompt"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray()).OrderBy(b => b[0], StringComparer.Ordinal).ToArray();
        Assert.Equal([["t0", "t1"], ["t2", "t3"], ["t4"]], batches);
        Assert.All(server.Requests, r => Assert.Equal(1, r.Body["logprobs"]!.GetValue<int>()));
        Assert.All(server.Requests, r => Assert.Equal(20, r.Body["top_k"]!.GetValue<int>()));
        Assert.All(server.Requests, r => Assert.Equal(1.0, r.Body["top_p"]!.GetValue<double>())); // top_p 0 means "off"
        for (var p = 0; p < 5; p++)
        {
            Assert.Equal([$"t{p}/0", $"t{p}/1", $"t{p}/2"], responses[p].Select(r => r.Text));
            Assert.Equal([0, 1, 2], responses[p].Select(r => r.SampleIndex));
        }

        Assert.All(responses.SelectMany(r => r), r => Assert.Equal(-1.5, r.Logprob));
        Assert.All(responses.SelectMany(r => r), r => Assert.Equal([-1f, 0f, -0.5f], r.TokenLogprobs));
        Assert.All(responses.SelectMany(r => r), r => Assert.Equal("length", r.FinishReason));
    }

    [Fact]
    public async Task AServerThatSendsNoLogprobsGivesLogprobZeroAndNoTokenLogprobs()
    {
        var server = new ScriptedServer((path, body) => path.EndsWith("/chat/completions", StringComparison.Ordinal) ? ChatAnswer(body, logprobs: false) : CompletionAnswer(body, logprobs: false));
        using var http = server.Client();

        var (responses, _) = await new OpenAiCompatibleSampler(http, Options).SampleAsync(
            [Conversation("a", ("user", "hi")), new Prompt { PromptId = "b", Text = "t" }], new SamplingParams { N = 2, MaxNewTokens = 3 }, null);

        Assert.Equal(["hi/0/0", "hi/0/1"], responses[0].Select(r => r.Text));
        Assert.Equal(["t/0", "t/1"], responses[1].Select(r => r.Text));
        Assert.All(responses.SelectMany(r => r), r => Assert.Equal(0, r.Logprob));
        Assert.All(responses.SelectMany(r => r), r => Assert.Empty(r.TokenLogprobs));
    }

    [Fact]
    public async Task ChoicesPerRequestSplitsNIntoRequestsWithSuccessiveSeeds()
    {
        var server = new ScriptedServer(Answer);
        using var http = server.Client();

        var (responses, _) = await new OpenAiCompatibleSampler(http, new SamplingBackendOptions { Model = "m", ChoicesPerRequest = 2 })
            .SampleAsync([Conversation("a", ("user", "q"))], new SamplingParams { N = 5, MaxNewTokens = 3, Seed = 40 }, null);

        Assert.Equal([(2, 40L), (2, 41L), (1, 42L)], server.Requests.Select(r => (r.Body["n"]!.GetValue<int>(), r.Body["seed"]!.GetValue<long>())).OrderBy(r => r.Item2));
        Assert.Equal(["q/40/0", "q/40/1", "q/41/0", "q/41/1", "q/42/0"], responses[0].Select(r => r.Text));
        Assert.Equal([0, 1, 2, 3, 4], responses[0].Select(r => r.SampleIndex));
    }

    [Fact]
    public async Task FewerChoicesThanAskedIsAnErrorThatSaysWhatTheServerSentAndWhatToSet()
    {
        var server = new ScriptedServer((_, body) => { body["n"] = 1; return ChatAnswer(body); });
        using var http = server.Client();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => new OpenAiCompatibleSampler(http, Options)
            .SampleAsync([Conversation("a", ("user", "q"))], new SamplingParams { N = 4, MaxNewTokens = 3 }, null));

        Assert.Contains("POST http://server.test/v1/chat/completions answered 1 choices numbered [0] for 1 conversation; expected 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sampling:ChoicesPerRequest=1", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> ErrorBodies => new()
    {
        { """{"error": {"message": "The model `qwen-test` does not exist.", "type": "NotFoundError", "code": 404}}""", "The model `qwen-test` does not exist." },
        { """{"error": "model 'qwen-test' not found"}""", "model 'qwen-test' not found" },
        { """{"object": "error", "message": "engine is sleeping", "type": "InternalServerError"}""", "engine is sleeping" },
        { """{"detail": "Not Found"}""", "Not Found" },
        { "<html>bad gateway</html>", "<html>bad gateway</html>" },
        { string.Empty, "(empty body)" },
    };

    [Theory]
    [MemberData(nameof(ErrorBodies))]
    public async Task ErrorsNameTheEndpointTheStatusAndTheServersMessage(string body, string message)
    {
        var server = new ScriptedServer((_, _) => ScriptedServer.Json(body, HttpStatusCode.NotFound));
        using var http = server.Client("http://server.test:8000/v1/");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => new OpenAiCompatibleSampler(http, Options)
            .SampleAsync([Conversation("a", ("user", "q"))], new SamplingParams { N = 1, MaxNewTokens = 3 }, null));

        Assert.Equal($"POST http://server.test:8000/v1/chat/completions answered 404 Not Found: {message}", error.Message);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task ABadRequestAnswerIsAnInvalidRequestThatQuotesTheServer()
    {
        var server = new ScriptedServer((_, _) => ScriptedServer.Json("""{"object":"error","message":"This model's maximum context length is 2048 tokens.","type":"BadRequestError","code":400}""", HttpStatusCode.BadRequest));
        using var http = server.Client();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => new OpenAiCompatibleSampler(http, Options)
            .SampleAsync([new Prompt { PromptId = "a", Text = "long" }], new SamplingParams { N = 1, MaxNewTokens = 3 }, null));

        Assert.Equal("POST http://server.test/v1/completions answered 400 Bad Request: This model's maximum context length is 2048 tokens.", error.Message);
    }

    [Fact]
    public async Task AnAnswerThatIsNotACompletionNamesTheEndpoint()
    {
        var server = new ScriptedServer((_, _) => ScriptedServer.Json("""{"choices": "none"}"""));
        using var http = server.Client();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => new OpenAiCompatibleSampler(http, Options)
            .SampleAsync([Conversation("a", ("user", "q"))], new SamplingParams { N = 1, MaxNewTokens = 3 }, null));

        Assert.StartsWith("POST http://server.test/v1/chat/completions answered with a body that is not a chat completion:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NBelowOneAndAMissingModelAreRefusedNamingTheField()
    {
        var server = new ScriptedServer(Answer);
        using var http = server.Client();

        var n = await Assert.ThrowsAsync<InvalidRequestException>(() => new OpenAiCompatibleSampler(http, Options).SampleAsync([new Prompt { PromptId = "a", Text = "t" }], new SamplingParams { N = 0 }, null));
        var model = Assert.Throws<ArgumentException>(() => new OpenAiCompatibleSampler(http, new SamplingBackendOptions { Backend = "openai", Endpoint = "http://x" }));

        Assert.Equal("sampling.n", n.Field);
        Assert.StartsWith("Sampling:Model is required", model.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }
}

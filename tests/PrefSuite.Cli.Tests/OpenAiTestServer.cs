using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace PrefSuite.Cli.Tests;

/// <summary>
/// A small OpenAI-compatible HTTP server on a local port for the CLI's OpenAI sampler: answers each POST with what
/// <c>answer</c> returns for its path and JSON body, and records every request (path, Authorization header, body).
/// </summary>
internal sealed class OpenAiTestServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, JsonObject, (int Status, JsonNode Body)> _answer;
    private readonly List<(string Path, string? Authorization, JsonObject Body)> _requests = [];
    private readonly Task _loop;

    public OpenAiTestServer(Func<string, JsonObject, (int Status, JsonNode Body)> answer)
    {
        _answer = answer;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>The OpenAI base address, as --endpoint takes it.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}/v1";

    public IReadOnlyList<(string Path, string? Authorization, JsonObject Body)> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>A chat completion whose choice i says "{content of the last message} #{i}" with token log-probs -0.5 and -0.25.</summary>
    public static JsonNode Chat(JsonObject request) => new JsonObject
    {
        ["id"] = "chatcmpl-test",
        ["object"] = "chat.completion",
        ["created"] = 1,
        ["model"] = request["model"]!.GetValue<string>(),
        ["choices"] = new JsonArray(Enumerable.Range(0, request["n"]!.GetValue<int>()).Select(i => (JsonNode)new JsonObject
        {
            ["index"] = i,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = $"{request["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>()} #{i}" },
            ["logprobs"] = new JsonObject { ["content"] = new JsonArray(new JsonObject { ["token"] = "a", ["logprob"] = -0.5, ["top_logprobs"] = new JsonArray() }, new JsonObject { ["token"] = "b", ["logprob"] = -0.25, ["top_logprobs"] = new JsonArray() }) },
            ["finish_reason"] = "stop",
        }).ToArray()),
    };

    /// <summary>A text completion whose choice p·n+i is <c>text(prompt p, i)</c> with token log-probs -1 and -0.5.</summary>
    public static JsonNode Completion(JsonObject request, Func<string, int, string> text, string finishReason = "length")
    {
        var prompts = request["prompt"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();
        var n = request["n"]!.GetValue<int>();
        return new JsonObject
        {
            ["id"] = "cmpl-test",
            ["object"] = "text_completion",
            ["created"] = 1,
            ["model"] = request["model"]!.GetValue<string>(),
            ["choices"] = new JsonArray(Enumerable.Range(0, prompts.Length * n).Select(c => (JsonNode)new JsonObject
            {
                ["text"] = text(prompts[c / n], c % n),
                ["index"] = c,
                ["logprobs"] = new JsonObject { ["tokens"] = new JsonArray("x", "y"), ["token_logprobs"] = new JsonArray(-1.0, -0.5) },
                ["finish_reason"] = finishReason,
            }).ToArray()),
        };
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception error) when (error is HttpListenerException or ObjectDisposedException)
        {
            // The listener was stopped while waiting for a request.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
            var path = context.Request.Url!.AbsolutePath;
            lock (_requests)
            {
                _requests.Add((path, context.Request.Headers["Authorization"], body));
            }

            var (status, answer) = _answer(path, body);
            var bytes = Encoding.UTF8.GetBytes(answer.ToJsonString());
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}

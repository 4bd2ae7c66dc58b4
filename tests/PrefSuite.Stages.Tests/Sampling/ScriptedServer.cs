using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PrefSuite.Stages.Tests.Sampling;

/// <summary>
/// An OpenAI-compatible server in a handler: answers each request with what <c>answer</c> returns for its path and body,
/// and records every request (path and JSON body) in arrival order.
/// </summary>
internal sealed class ScriptedServer(Func<string, JsonObject, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    private readonly List<(string Path, JsonObject Body)> _requests = [];

    public ScriptedServer(Func<string, JsonObject, HttpResponseMessage> answer)
        : this((path, body) => Task.FromResult(answer(path, body)))
    {
    }

    public IReadOnlyList<(string Path, JsonObject Body)> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    public static HttpResponseMessage Json(object body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };

    public HttpClient Client(string baseAddress = "http://server.test/v1/") => new(this, disposeHandler: false) { BaseAddress = new Uri(baseAddress) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!.AsObject();
        lock (_requests)
        {
            _requests.Add((request.RequestUri!.AbsolutePath, body));
        }

        return await answer(request.RequestUri!.AbsolutePath, body);
    }
}

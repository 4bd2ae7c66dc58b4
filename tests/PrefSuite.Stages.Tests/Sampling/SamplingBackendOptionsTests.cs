using PrefSuite.Stages.Sampling;

namespace PrefSuite.Stages.Tests.Sampling;

public sealed class SamplingBackendOptionsTests
{
    [Fact]
    public void TheOpenAiBackendNeedsAnEndpointAndAModelEachNamedByItsKey()
    {
        var problems = new SamplingBackendOptions { Backend = "openai" }.Problems();

        Assert.Equal(2, problems.Count);
        Assert.StartsWith("Sampling:Endpoint is required with the openai backend", problems[0], StringComparison.Ordinal);
        Assert.StartsWith("Sampling:Model is required with the openai backend", problems[1], StringComparison.Ordinal);
        Assert.Empty(new SamplingBackendOptions().Problems()); // the policy backend needs neither
    }

    [Fact]
    public void OutOfRangeValuesAreNamedTheWayTheCallerSpellsThem()
    {
        var options = new SamplingBackendOptions
        {
            Backend = "vllm", RequestTimeout = TimeSpan.FromMilliseconds(10), MaxRetries = -1, PromptsPerRequest = 0, ChoicesPerRequest = -2, ConcurrentRequests = 0,
        };

        var problems = options.Problems(key => "--" + key.ToLowerInvariant());

        Assert.Equal(
            [
                "--backend must be 'policy' or 'openai', got 'vllm'",
                "--requesttimeout must lie between 1 second and 1 day, got 00:00:00.0100000",
                "--maxretries must lie in [0, 20], got -1",
                "--promptsperrequest must lie in [1, 1024], got 0",
                "--choicesperrequest must lie in [0, 1024] (0: all at once), got -2",
                "--concurrentrequests must lie in [1, 256], got 0",
            ],
            problems);
        Assert.Contains("--backend must be", Assert.Throws<ArgumentException>(() => options.Validate(key => "--" + key.ToLowerInvariant())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEndpointMustBeAnAbsoluteHttpAddress()
    {
        var problems = new SamplingBackendOptions { Backend = "openai", Endpoint = "localhost:8000", Model = "m" }.Problems();

        Assert.Equal(["Sampling:Endpoint must be an absolute http or https address, got 'localhost:8000'"], problems);
    }

    [Theory]
    [InlineData("http://localhost:8000", "http://localhost:8000/v1/")]
    [InlineData("http://localhost:8000/", "http://localhost:8000/v1/")]
    [InlineData("http://localhost:8000/v1", "http://localhost:8000/v1/")]
    [InlineData("https://api.example.com/v1/", "https://api.example.com/v1/")]
    [InlineData("http://gateway/llm", "http://gateway/llm/v1/")]
    public void TheBaseAddressEndsInV1(string endpoint, string expected)
    {
        Assert.Equal(new Uri(expected), new SamplingBackendOptions { Endpoint = endpoint }.BaseAddress());
    }
}

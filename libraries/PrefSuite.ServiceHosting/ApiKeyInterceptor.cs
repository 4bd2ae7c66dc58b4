using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace PrefSuite.ServiceHosting;

/// <summary>Rejects gRPC calls without the configured API key (Unauthenticated); health checks stay open for orchestrators.</summary>
public sealed class ApiKeyInterceptor(IOptions<SecurityOptions> options) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    /// <summary>Whether a presented key matches, in constant time.</summary>
    public static bool Matches(string expected, string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));

    /// <summary>The key from "x-api-key" or "authorization: Bearer …".</summary>
    public static string? Presented(string? apiKeyHeader, string? authorizationHeader) =>
        !string.IsNullOrEmpty(apiKeyHeader) ? apiKeyHeader
        : authorizationHeader is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth["Bearer ".Length..].Trim()
        : null;

    private void Check(ServerCallContext context)
    {
        var expected = options.Value.ApiKey;
        if (string.IsNullOrEmpty(expected) || context.Method.StartsWith("/grpc.health.v1.Health/", StringComparison.Ordinal))
        {
            return;
        }

        var presented = Presented(context.RequestHeaders.GetValue("x-api-key"), context.RequestHeaders.GetValue("authorization"));
        if (!Matches(expected, presented))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "A valid API key is required (header x-api-key or authorization: Bearer)."));
        }
    }
}

using Grpc.Core;
using Grpc.Core.Interceptors;
using PrefSuite.Data;
using PrefSuite.Workflow;

namespace PrefSuite.ServiceHosting;

/// <summary>Turns the errors a caller can fix into gRPC statuses that name the problem: InvalidArgument, NotFound.</summary>
public sealed class ErrorMappingInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception error) when (Map(error) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception error) when (Map(error) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception error) when (Map(error) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception error) when (Map(error) is { } mapped)
        {
            throw mapped;
        }
    }

    public static RpcException? Map(Exception error) => error switch
    {
        InvalidRequestException or DataFormatException or FormatException => new RpcException(new Status(StatusCode.InvalidArgument, error.Message)),
        KeyNotFoundException => new RpcException(new Status(StatusCode.NotFound, error.Message)),
        _ => null,
    };
}

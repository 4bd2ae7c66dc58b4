using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using PrefSuite.AppHost;
using PrefSuite.DenoisingService;

namespace PrefSuite.Integration.Tests.Services;

public sealed class SecurityTests
{
    private static string[] Ports(out int grpc, out int http)
    {
        (grpc, http) = (FreePorts.Next(), FreePorts.Next());
        return [$"--GRPC_PORT={grpc.ToString(CultureInfo.InvariantCulture)}", $"--HTTP_PORT={http.ToString(CultureInfo.InvariantCulture)}", "--Logging:LogLevel:Default=Warning"];
    }

    [Fact]
    public async Task AServiceListeningOnEveryInterfaceWithoutAnApiKeyRefusesToStart()
    {
        await using var app = DenoisingServiceApp.Build([.. Ports(out _, out _), "--Security:Listen=any"]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Security:ApiKey", error.Message, StringComparison.Ordinal);

        await using var keyed = DenoisingServiceApp.Build([.. Ports(out _, out _), "--Security:Listen=any", "--Security:ApiKey=0123456789abcdef0123"]);
        await keyed.StartAsync();
        await keyed.StopAsync();
    }

    [Fact]
    public async Task ByDefaultAServiceAnswersOnLoopbackOnly()
    {
        await using var app = DenoisingServiceApp.Build(Ports(out var grpc, out var http));
        await app.StartAsync();
        try
        {
            using var client = new HttpClient();
            // Liveness, not readiness: readiness also waits for the RabbitMQ connection, which may still be opening.
            Assert.Equal("Healthy", await client.GetStringAsync($"http://127.0.0.1:{http}/alive"));
            var outside = NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
            if (outside is not null)
            {
                // This machine's own non-loopback address: a service bound to loopback does not answer there.
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(outside, grpc));
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }
}

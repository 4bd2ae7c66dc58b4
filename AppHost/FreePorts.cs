using System.Net;
using System.Net.Sockets;

namespace PrefSuite.AppHost;

/// <summary>
/// Ports for the servers the AppHost starts itself (and for the integration tests' servers, which link this file),
/// chosen below the kernel's ephemeral range (32768 and up on Linux): a port the kernel hands
/// out as "free" can become the source port of any outgoing connection before the server binds it, and then the bind
/// fails. Each port is checked on every interface (IPv6, dual mode) and handed out once per process.
/// </summary>
internal static class FreePorts
{
    private const int First = 20_000;
    private const int Last = 32_000;
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 1_000; attempt++)
            {
                var port = Random.Shared.Next(First, Last);
                if (!HandedOut.Contains(port) && IsFree(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"no free port in {First}–{Last}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.IPv6Any, port);
            listener.Server.DualMode = true;
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrefSuite.Contracts.V1;
using PrefSuite.Messaging;

// Publishes BATCHES batches of 32 events through the stage bus (confirms outstanding together), REPS times; prints seconds per rep.
var uri = args[0];
var batches = int.Parse(args[1]);
await using var connection = new RabbitMqConnection(Options.Create(new MessagingOptions { ConnectionString = uri }), NullLogger<RabbitMqConnection>.Instance);
await using var bus = new RabbitMqStageBus(connection);
var batch = Enumerable.Range(0, 32).Select(i => ("prefsuite.bench", (Google.Protobuf.IMessage)new StageEvent { RunId = "r", Stage = "select", PromptId = new string((char)120, 200) }, $"r/p{i}/select")).ToArray();
await bus.PublishManyAsync(batch); // declare and warm up
for (var rep = 0; rep < 5; rep++)
{
    var clock = Stopwatch.StartNew();
    for (var b = 0; b < batches; b++)
    {
        await bus.PublishManyAsync(batch);
    }

    Console.WriteLine($"{clock.Elapsed.TotalSeconds:F3}");
}

using PrefSuite.Cli;
using PrefSuite.Cli.Commands;

using var cancellation = ConsoleCancellation.OnCtrlC();

return await PrefSuiteCli.RunAsync(args, Console.Out, Console.Error, cancellation.Token);

using System.CommandLine;
using PrefSuite.Workflow;

namespace PrefSuite.Cli.Commands;

/// <summary>
/// Runs the commands that drive models, runs and the stack: besides bad input (<see cref="CommandRunner"/>), a
/// request the workflow refuses, an unreachable or failing stack and a chat template that cannot render are errors
/// the user can fix, reported in one line with exit code 2.
/// </summary>
internal static class StageCommandRunner
{
    public static void SetStageAction(this Command command, Func<ParseResult, TextWriter, TextWriter, CancellationToken, Task> work) =>
        command.SetAction(work, IsStageError);

    private static bool IsStageError(Exception failure) =>
        failure is InvalidRequestException or Grpc.Core.RpcException or ChatTemplates.ChatTemplateException;
}

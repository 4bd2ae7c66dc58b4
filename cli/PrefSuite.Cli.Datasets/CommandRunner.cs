using System.CommandLine;
using PrefSuite.Data;

namespace PrefSuite.Cli.Commands;

/// <summary>Runs a command's work and turns the errors users can fix into one clear line on stderr and exit code 2.</summary>
internal static class CommandRunner
{
    public const int InputError = 2;

    /// <summary>Runs <paramref name="work"/>; bad input, missing files and the like (and what <paramref name="isUserError"/> adds) become one line and exit code 2.</summary>
    public static void SetAction(this Command command, Func<ParseResult, TextWriter, TextWriter, CancellationToken, Task> work, Func<Exception, bool>? isUserError = null) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                await work(parseResult, output, error, cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (Exception failure) when (IsInputError(failure) || isUserError?.Invoke(failure) == true)
            {
                await error.WriteLineAsync($"error: {failure.Message}").ConfigureAwait(false);
                return InputError;
            }
        });

    /// <summary>Parses an option's text, naming the option when the text is wrong.</summary>
    public static T ParseOption<T>(string option, string text, Func<string, T> parse)
    {
        try
        {
            return parse(text);
        }
        catch (Exception failure) when (failure is FormatException or ArgumentException)
        {
            throw new OptionException($"{option}: {failure.Message}");
        }
    }

    private static bool IsInputError(Exception failure) =>
        failure is DataFormatException or ArgumentException or FormatException or OptionException or IOException or UnauthorizedAccessException or KeyNotFoundException
            or InvalidOperationException or InvalidDataException or HttpRequestException or TimeoutException;
}

/// <summary>An option value that parsed as text but means nothing.</summary>
internal sealed class OptionException : Exception
{
    public OptionException(string message)
        : base(message)
    {
    }

    public OptionException()
    {
    }

    public OptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

using System.Globalization;
using System.Text;

namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>Python's datetime.strftime on Linux (glibc, C locale) for a naive local time.</summary>
internal static class Strftime
{
    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static string Format(DateTime time, string format)
    {
        var output = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                output.Append(format[i]);
                continue;
            }

            var directive = format[++i];
            var pad = true;
            if (directive == '-' && i + 1 < format.Length)
            {
                pad = false;
                directive = format[++i];
            }

            output.Append(Directive(time, directive, pad));
        }

        return output.ToString();
    }

    private static string Directive(DateTime time, char directive, bool pad)
    {
        string Number(int value, int width, char fill = '0') =>
            pad ? value.ToString(CultureInfo.InvariantCulture).PadLeft(width, fill) : value.ToString(CultureInfo.InvariantCulture);

        var hour12 = time.Hour % 12 == 0 ? 12 : time.Hour % 12;
        var weekday = (int)time.DayOfWeek;
        return directive switch
        {
            'a' => Days[weekday][..3],
            'A' => Days[weekday],
            'b' or 'h' => Months[time.Month - 1][..3],
            'B' => Months[time.Month - 1],
            'C' => Number(time.Year / 100, 2),
            'c' => Format(time, "%a %b %e %H:%M:%S %Y"),
            'd' => Number(time.Day, 2),
            'D' or 'x' => Format(time, "%m/%d/%y"),
            'e' => Number(time.Day, 2, ' '),
            'F' => Format(time, "%Y-%m-%d"),
            'G' => Number(ISOWeek.GetYear(time), 4),
            'g' => Number(ISOWeek.GetYear(time) % 100, 2),
            'H' => Number(time.Hour, 2),
            'I' => Number(hour12, 2),
            'j' => Number(time.DayOfYear, 3),
            'k' => Number(time.Hour, 2, ' '),
            'l' => Number(hour12, 2, ' '),
            'm' => Number(time.Month, 2),
            'M' => Number(time.Minute, 2),
            'n' => "\n",
            'p' => time.Hour < 12 ? "AM" : "PM",
            'P' => time.Hour < 12 ? "am" : "pm",
            'r' => Format(time, "%I:%M:%S %p"),
            'R' => Format(time, "%H:%M"),
            'S' => Number(time.Second, 2),
            't' => "\t",
            'T' or 'X' => Format(time, "%H:%M:%S"),
            'u' => (weekday == 0 ? 7 : weekday).ToString(CultureInfo.InvariantCulture),
            'U' => Number((time.DayOfYear - 1 + 7 - weekday) / 7, 2),
            'V' => Number(ISOWeek.GetWeekOfYear(time), 2),
            'w' => weekday.ToString(CultureInfo.InvariantCulture),
            'W' => Number((time.DayOfYear - 1 + 7 - ((weekday + 6) % 7)) / 7, 2),
            'y' => Number(time.Year % 100, 2),
            'Y' => time.Year.ToString(CultureInfo.InvariantCulture),
            'Z' or 'z' => "",
            '%' => "%",
            _ => throw TemplateRuntimeError.Unsupported($"the strftime directive '%{directive}'"),
        };
    }
}

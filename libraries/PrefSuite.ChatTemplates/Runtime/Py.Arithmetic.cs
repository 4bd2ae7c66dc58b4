namespace PrefSuite.ChatTemplates.Runtime;

internal static partial class Py
{
    public static object? Add(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (IsNumber(left) && IsNumber(right))
        {
            return IsInteger(left) && IsInteger(right) ? Checked(() => checked(AsLong(left) + AsLong(right))) : AsDouble(left) + AsDouble(right);
        }

        if (left is Markup || right is Markup)
        {
            if (AsText(left) is { } a && AsText(right) is { } b)
            {
                return new Markup(EscapeUnlessMarkup(left, a) + EscapeUnlessMarkup(right, b));
            }
        }
        else if (left is string s)
        {
            return right is string t
                ? s + t
                : throw TemplateRuntimeError.Type($"can only concatenate str (not \"{TypeName(right)}\") to str");
        }

        if (left is PyList x && right is PyList y)
        {
            return x.IsTuple == y.IsTuple
                ? new PyList([.. x.Items, .. y.Items], x.IsTuple)
                : throw TemplateRuntimeError.Type($"can only concatenate {TypeName(x)} (not \"{TypeName(y)}\") to {TypeName(x)}");
        }

        throw Unsupported("+", left, right);
    }

    public static object? Subtract(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (IsNumber(left) && IsNumber(right))
        {
            return IsInteger(left) && IsInteger(right) ? Checked(() => checked(AsLong(left) - AsLong(right))) : AsDouble(left) - AsDouble(right);
        }

        throw Unsupported("-", left, right);
    }

    public static object? Multiply(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (IsNumber(left) && IsNumber(right))
        {
            return IsInteger(left) && IsInteger(right) ? Checked(() => checked(AsLong(left) * AsLong(right))) : AsDouble(left) * AsDouble(right);
        }

        if (IsInteger(right) && Repeat(left, AsLong(right)) is { } repeated)
        {
            return repeated;
        }

        if (IsInteger(left) && Repeat(right, AsLong(left)) is { } reversed)
        {
            return reversed;
        }

        throw Unsupported("*", left, right);
    }

    private static object? Repeat(object? sequence, long times)
    {
        var count = (int)Math.Clamp(times, 0, 1_000_000);
        return sequence switch
        {
            string s => string.Concat(Enumerable.Repeat(s, count)),
            Markup m => new Markup(string.Concat(Enumerable.Repeat(m.Value, count))),
            PyList list => new PyList([.. Enumerable.Repeat(list.Items, count).SelectMany(items => items)], list.IsTuple),
            _ => null,
        };
    }

    public static object Divide(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (!IsNumber(left) || !IsNumber(right))
        {
            throw Unsupported("/", left, right);
        }

        var divisor = AsDouble(right);
        return divisor == 0 ? throw ZeroDivision("division by zero") : AsDouble(left) / divisor;
    }

    public static object FloorDivide(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (!IsNumber(left) || !IsNumber(right))
        {
            throw Unsupported("//", left, right);
        }

        if (IsInteger(left) && IsInteger(right))
        {
            var (a, b) = (AsLong(left), AsLong(right));
            if (b == 0)
            {
                throw ZeroDivision("integer division or modulo by zero");
            }

            var quotient = a / b;
            return (a % b != 0) && ((a < 0) != (b < 0)) ? quotient - 1 : quotient;
        }

        return FloatDivMod(AsDouble(left), AsDouble(right)).Quotient;
    }

    public static object Modulo(object? left, object? right)
    {
        if (AsText(left) is { } format)
        {
            return Rewrap(left, PyFormat.Printf(format, right));
        }

        FailIfUndefined(left, right);

        if (!IsNumber(left) || !IsNumber(right))
        {
            throw Unsupported("%", left, right);
        }

        if (IsInteger(left) && IsInteger(right))
        {
            var (a, b) = (AsLong(left), AsLong(right));
            if (b == 0)
            {
                throw ZeroDivision("integer division or modulo by zero");
            }

            var remainder = a % b;
            return remainder != 0 && ((remainder < 0) != (b < 0)) ? remainder + b : remainder;
        }

        return FloatDivMod(AsDouble(left), AsDouble(right)).Remainder;
    }

    /// <summary>CPython's float divmod: the remainder takes the divisor's sign.</summary>
    private static (double Quotient, double Remainder) FloatDivMod(double a, double b)
    {
        if (b == 0)
        {
            throw ZeroDivision("float divmod()");
        }

        var mod = a % b;
        var div = (a - mod) / b;
        if (mod != 0)
        {
            if ((b < 0) != (mod < 0))
            {
                mod += b;
                div -= 1.0;
            }
        }
        else
        {
            mod = Math.CopySign(0.0, b);
        }

        double floorDiv;
        if (div != 0)
        {
            floorDiv = Math.Floor(div);
            if (div - floorDiv > 0.5)
            {
                floorDiv += 1.0;
            }
        }
        else
        {
            floorDiv = Math.CopySign(0.0, a / b);
        }

        return (floorDiv, mod);
    }

    public static object Power(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (!IsNumber(left) || !IsNumber(right))
        {
            throw Unsupported("** or pow()", left, right);
        }

        if (IsInteger(left) && IsInteger(right) && AsLong(right) >= 0)
        {
            var (value, exponent) = (AsLong(left), AsLong(right));
            return Checked(() =>
            {
                long result = 1;
                while (exponent > 0)
                {
                    if ((exponent & 1) == 1)
                    {
                        result = checked(result * value);
                    }

                    exponent >>= 1;
                    if (exponent > 0)
                    {
                        value = checked(value * value);
                    }
                }

                return result;
            });
        }

        var (x, y) = (AsDouble(left), AsDouble(right));
        if (x == 0 && y < 0)
        {
            throw ZeroDivision("0.0 cannot be raised to a negative power");
        }

        if (x < 0 && Math.Floor(y) != y)
        {
            throw TemplateRuntimeError.Unsupported("a negative number to a fractional power (Python returns a complex number)");
        }

        var power = Math.Pow(x, y);
        return double.IsInfinity(power) && double.IsFinite(x) && double.IsFinite(y)
            ? throw new TemplateRuntimeError("OverflowError", "(34, 'Numerical result out of range')")
            : power;
    }

    public static object Negate(object? operand) => operand switch
    {
        Undefined u => throw u.Fail(),
        bool or long => Checked(() => checked(-AsLong(operand))),
        double d => -d,
        _ => throw TemplateRuntimeError.Type($"bad operand type for unary -: '{TypeName(operand)}'"),
    };

    public static object Plus(object? operand) => operand switch
    {
        Undefined u => throw u.Fail(),
        bool or long => (object)AsLong(operand),
        double d => d,
        _ => throw TemplateRuntimeError.Type($"bad operand type for unary +: '{TypeName(operand)}'"),
    };

    private static void FailIfUndefined(object? left, object? right)
    {
        if (left is Undefined u)
        {
            throw u.Fail();
        }

        if (right is Undefined v)
        {
            throw v.Fail();
        }
    }

    private static string EscapeUnlessMarkup(object? value, string text) => value is Markup ? text : HtmlEscape(text);

    private static object Checked(Func<long> compute)
    {
        try
        {
            return compute();
        }
        catch (OverflowException)
        {
            throw TemplateRuntimeError.Unsupported("integers beyond 64 bits (Python's are unbounded)");
        }
    }

    private static TemplateRuntimeError ZeroDivision(string message) => new("ZeroDivisionError", message);

    private static TemplateRuntimeError Unsupported(string op, object? left, object? right) =>
        TemplateRuntimeError.Type($"unsupported operand type(s) for {op}: '{TypeName(left)}' and '{TypeName(right)}'");
}

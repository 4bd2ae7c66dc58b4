namespace PrefSuite.ChatTemplates.Runtime;

internal static partial class Filters
{
    /// <summary>Jinja2's make_attrgetter: "a.b.0" walks items (then attributes); undefined steps become the default.</summary>
    private static Func<object?, object?> AttributeGetter(object? attribute, object? fallback, bool ignoreCase = false)
    {
        var parts = AttributeParts(attribute);
        return item =>
        {
            foreach (var part in parts)
            {
                item = Attributes.GetItem(item, part);
                if (fallback is not null && item is Undefined)
                {
                    item = fallback;
                }
            }

            return ignoreCase ? IgnoreCase(item) : item;
        };
    }

    /// <summary>Jinja2's make_multi_attrgetter (sort): "a,b" compares by a, then b; the key is a list.</summary>
    private static Func<object?, object?> MultiAttributeGetter(object? attribute, bool ignoreCase)
    {
        var paths = attribute is string text ? text.Split(',').Select(part => AttributeParts(part)).ToList() : [AttributeParts(attribute)];
        return item => new PyList(paths.Select(parts =>
        {
            var value = item;
            foreach (var part in parts)
            {
                value = Attributes.GetItem(value, part);
            }

            return ignoreCase ? IgnoreCase(value) : value;
        }).ToList());
    }

    private static List<object?> AttributeParts(object? attribute) => attribute switch
    {
        null or Missing => [],
        string text => [.. text.Split('.').Select(part => part.Length > 0 && part.All(char.IsAsciiDigit) ? (object?)long.Parse(part, System.Globalization.CultureInfo.InvariantCulture) : part)],
        _ => [attribute],
    };

    private static object? IgnoreCase(object? value) => value is string text ? PyText.Lower(text) : value;

    /// <summary>Python's sorted(): stable, using only &lt;; reverse keeps equal items in their original order.</summary>
    private static List<object?> StableSort(List<object?> items, Func<object?, object?> key, bool reverse)
    {
        var keyed = items.Select(item => (Key: key(item), Item: item)).ToList();
        if (reverse)
        {
            keyed.Reverse();
        }

        var sorted = MergeSort(keyed);
        if (reverse)
        {
            sorted.Reverse();
        }

        return sorted.Select(pair => pair.Item).ToList();
    }

    private static List<(object? Key, object? Item)> MergeSort(List<(object? Key, object? Item)> items)
    {
        if (items.Count <= 1)
        {
            return items;
        }

        var left = MergeSort(items.GetRange(0, items.Count / 2));
        var right = MergeSort(items.GetRange(items.Count / 2, items.Count - (items.Count / 2)));
        var merged = new List<(object? Key, object? Item)>(items.Count);
        int i = 0, j = 0;
        while (i < left.Count && j < right.Count)
        {
            merged.Add(Py.Ordered("<", right[j].Key, left[i].Key) ? right[j++] : left[i++]);
        }

        merged.AddRange(left.Skip(i));
        merged.AddRange(right.Skip(j));
        return merged;
    }

    private static object? Sort(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("sort", 0, "reverse", "case_sensitive", "attribute");
        var reverse = bound[0] is not Missing && Py.Truthy(bound[0]);
        var caseSensitive = bound[1] is not Missing && Py.Truthy(bound[1]);
        var key = MultiAttributeGetter(bound[2], !caseSensitive);
        return new PyList(StableSort([.. Py.Iterate(value)], key, reverse));
    }

    private static object? DictSort(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("dictsort", 0, "case_sensitive", "by", "reverse");
        var caseSensitive = bound[0] is not Missing && Py.Truthy(bound[0]);
        var by = bound[1] is Missing ? "key" : Py.Str(bound[1]);
        var position = by switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new TemplateRuntimeError("FilterArgumentError", "You can only sort by either \"key\" or \"value\""),
        };
        if (value is not PyDict dict)
        {
            throw new TemplateRuntimeError("AttributeError", $"'{Py.TypeName(value)}' object has no attribute 'items'");
        }

        var pairs = new PyView(dict, "items").ToList();
        object? Key(object? pair)
        {
            var item = ((PyList)pair!).Items[position];
            return caseSensitive ? item : IgnoreCase(item);
        }

        return new PyList(StableSort(pairs, Key, bound[2] is not Missing && Py.Truthy(bound[2])));
    }

    private static object? Unique(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("unique", 0, "case_sensitive", "attribute");
        var caseSensitive = bound[0] is not Missing && Py.Truthy(bound[0]);
        var key = AttributeGetter(bound[1] is Missing ? null : bound[1], null, !caseSensitive);
        var seen = new PyDict();
        var unique = new List<object?>();
        foreach (var item in Py.Iterate(value))
        {
            var itemKey = key(item);
            if (!seen.ContainsKey(itemKey))
            {
                seen.Set(itemKey, true);
                unique.Add(item);
            }
        }

        return new PyIterator("generator", unique);
    }

    private static object? MinOrMax(object? value, CallArgs args, Scope scope, string which)
    {
        var bound = args.Bind(which, 0, "case_sensitive", "attribute");
        var caseSensitive = bound[0] is not Missing && Py.Truthy(bound[0]);
        var key = AttributeGetter(bound[1] is Missing ? null : bound[1], null, !caseSensitive);
        var items = Py.Iterate(value);
        if (items.Count == 0)
        {
            return Undefined.WithHint("No aggregated item, sequence was empty.");
        }

        var best = items[0];
        var bestKey = key(best);
        foreach (var item in items.Skip(1))
        {
            var itemKey = key(item);
            if (Py.Ordered(which == "min" ? "<" : ">", itemKey, bestKey))
            {
                (best, bestKey) = (item, itemKey);
            }
        }

        return best;
    }

    private static object? Sum(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("sum", 0, "attribute", "start");
        object? total = bound[1] is Missing ? 0L : bound[1];
        var items = Py.Iterate(value);
        if (bound[0] is not (Missing or null))
        {
            items = items.Select(AttributeGetter(bound[0], null)).ToList();
        }

        if (Py.IsString(total))
        {
            throw TemplateRuntimeError.Type("sum() can't sum strings [use ''.join(seq) instead]");
        }

        foreach (var item in items)
        {
            total = Py.Add(total, item);
        }

        return total;
    }

    private static object? Batch(object? value, CallArgs args, Scope scope)
    {
        var bound = args.Bind("batch", 1, "linecount", "fill_with");
        var size = (int)Py.AsIndex(bound[0], "linecount");
        if (size <= 0)
        {
            throw TemplateRuntimeError.Unsupported("batch() with a line count below 1");
        }

        var batches = new List<object?>();
        var current = new List<object?>();
        foreach (var item in Py.Iterate(value))
        {
            if (current.Count == size)
            {
                batches.Add(new PyList(current));
                current = [];
            }

            current.Add(item);
        }

        if (current.Count > 0)
        {
            if (bound[1] is not (Missing or null))
            {
                while (current.Count < size)
                {
                    current.Add(bound[1]);
                }
            }

            batches.Add(new PyList(current));
        }

        return new PyIterator("generator", batches);
    }

    private static object? Map(object? value, CallArgs args, Scope scope)
    {
        if (!Py.Truthy(value))
        {
            return new PyIterator("generator", []);
        }

        var items = Py.Iterate(value);
        Func<object?, object?> transform;
        if (args.Positional.Count == 0 && args.Keywords.Any(pair => pair.Key == "attribute"))
        {
            var bound = args.Bind("map", 0, "attribute", "default");
            transform = AttributeGetter(bound[0], bound[1] is Missing ? null : bound[1]);
        }
        else
        {
            if (args.Positional.Count == 0)
            {
                throw new TemplateRuntimeError("FilterArgumentError", "map requires a filter argument");
            }

            var name = Text(args.Positional[0], "map");
            var rest = args.WithoutLeading(1);
            transform = item => Call(name, item, rest, scope);
        }

        return new PyIterator("generator", items.Select(transform).ToList());
    }

    /// <summary>select, reject, selectattr, rejectattr: a test by name (or truthiness) on each item or attribute.</summary>
    private static object? SelectOrReject(object? value, CallArgs args, Scope scope, bool keep, bool byAttribute)
    {
        if (!Py.Truthy(value))
        {
            return new PyIterator("generator", []);
        }

        var offset = 0;
        Func<object?, object?> transform = item => item;
        if (byAttribute)
        {
            if (args.Positional.Count == 0)
            {
                throw new TemplateRuntimeError("FilterArgumentError", "Missing parameter for attribute name");
            }

            transform = AttributeGetter(args.Positional[0], null);
            offset = 1;
        }

        Func<object?, bool> test = Py.Truthy;
        if (args.Positional.Count > offset)
        {
            var name = Text(args.Positional[offset], "select");
            var rest = args.WithoutLeading(offset + 1);
            test = item => Tests.Call(name, item, rest, scope);
        }

        var selected = Py.Iterate(value).Where(item => test(transform(item)) == keep).ToList();
        return new PyIterator("generator", selected);
    }
}

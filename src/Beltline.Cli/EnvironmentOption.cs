using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Beltline.Cli;

/// <summary>
/// Options whose default comes from a <c>BELTLINE_*</c> environment variable, so containers and scripts can
/// configure a station without flags. A bad value in the variable is a parse error naming the variable.
/// </summary>
internal static class EnvironmentOption
{
    public static Option<T> Create<T>(string name, string variable, T fallback, string description)
    {
        var option = new Option<T>(name)
        {
            Description = $"{description} [env {variable}]",
        };
        option.DefaultValueFactory = result => FromEnvironment(result, variable, fallback);
        return option;
    }

    private static T FromEnvironment<T>(ArgumentResult result, string variable, T fallback)
    {
        var raw = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(raw))
            return fallback;
        if (TryConvert<T>(raw.Trim(), out var value))
            return value;
        result.AddError($"Environment variable {variable}='{raw}' is not a valid {Describe<T>()}.");
        return fallback;
    }

    private static bool TryConvert<T>(string raw, out T value)
    {
        object? parsed = null;
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (target == typeof(string))
            parsed = raw;
        else if (target == typeof(int) && int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
            parsed = i;
        else if (target == typeof(bool) && bool.TryParse(raw, out var b))
            parsed = b;
        else if (target.IsEnum && Enum.TryParse(target, raw, ignoreCase: true, out var e))
            parsed = e;
        value = parsed is null ? default! : (T)parsed;
        return parsed is not null;
    }

    private static string Describe<T>() => (Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T)) switch
    {
        var t when t == typeof(int) => "integer",
        var t when t == typeof(bool) => "boolean (true/false)",
        var t when t.IsEnum => "value (" + string.Join(", ", Enum.GetNames(t).Select(n => n.ToLowerInvariant())) + ")",
        _ => "value",
    };
}

using System.Text.Json;

namespace Cognive.Agents.Specialists;

/// <summary>
/// A specialist's payload: a JSON object of named options, each optional with a default and bounds. Anything else — a
/// payload that is no object, an unknown option (a typo would silently fall back to the default), a value out of
/// bounds — fails the attempt with a message naming the option.
/// </summary>
public sealed class TaskOptions
{
    private readonly Dictionary<string, JsonElement> _values;

    public TaskOptions(JsonElement? payload, params string[] known)
    {
        if (payload is { ValueKind: not JsonValueKind.Object })
        {
            throw new ArgumentException($"The payload is a JSON object of options ({string.Join(", ", known)}), not {payload.Value.ValueKind}.");
        }

        _values = payload?.EnumerateObject().ToDictionary(p => p.Name, p => p.Value) ?? [];
        if (_values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"Unknown option '{unknown}'; this task takes {string.Join(", ", known)}.");
        }
    }

    public int Int(string name, int fallback, int min, int max) =>
        !_values.TryGetValue(name, out var value) ? fallback
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max ? number
        : throw new ArgumentException($"{name} is a whole number from {min} to {max}.");

    public double Number(string name, double fallback, double min, double max) =>
        !_values.TryGetValue(name, out var value) ? fallback
        : value.ValueKind == JsonValueKind.Number && value.GetDouble() is var number && number >= min && number <= max ? number
        : throw new ArgumentException($"{name} is a number from {min} to {max}.");

    public string OneOf(string name, string fallback, params string[] allowed) =>
        !_values.TryGetValue(name, out var value) ? fallback
        : value.ValueKind == JsonValueKind.String && allowed.Contains(value.GetString()) ? value.GetString()!
        : throw new ArgumentException($"{name} is one of {string.Join(", ", allowed)}.");
}

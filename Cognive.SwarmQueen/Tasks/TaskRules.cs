using System.Text.Json;
using Cognive.SwarmQueen.Validation;

namespace Cognive.SwarmQueen.Tasks;

/// <summary>What a task may be. Its type must be one the team's swarm can run: a built-in specialist's, or one a
/// registered instance advertises among its capabilities.</summary>
internal static class TaskRules
{
    public const int MaxPayloadBytes = 64 * 1024;
    public static readonly string[] BuiltInTypes = ["noop", "data-quality", "cost-anomaly", "reliability", "performance", "pricing"];

    public static Dictionary<string, string[]> Validate(CreateTaskRequest request, IReadOnlySet<string> knownTypes, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Type) || request.Type.Length > 100)
        {
            errors["type"] = ["type is required (at most 100 characters)."];
        }
        else if (!knownTypes.Contains(request.Type))
        {
            errors["type"] = [$"No agent of this team can run '{request.Type}': known types are {string.Join(", ", knownTypes.Order())}."];
        }

        if (request.Payload is { ValueKind: not JsonValueKind.Null } payload && payload.GetRawText().Length > MaxPayloadBytes)
        {
            errors["payload"] = [$"payload holds at most {MaxPayloadBytes} bytes."];
        }

        if (request.Priority is not null and not (>= 0 and <= 9))
        {
            errors["priority"] = ["priority is 0 to 9."];
        }

        NameLists.Check(errors, "required_capabilities", request.RequiredCapabilities, 20);

        if (request.MaxAttempts is not null and not (>= 1 and <= 20))
        {
            errors["max_attempts"] = ["max_attempts is 1 to 20."];
        }

        if (request.Deadline <= now)
        {
            errors["deadline"] = ["deadline is in the future."];
        }

        if (request.IdempotencyKey is { Length: 0 or > 200 })
        {
            errors["idempotency_key"] = ["idempotency_key has 1 to 200 characters."];
        }

        return errors;
    }
}

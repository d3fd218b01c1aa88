using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting.Swarm;

/// <summary>
/// The swarm team's agent key. Locally the migrations issue it into the state folder and the agent processes read it
/// there. Published, it is two secret parameters with generated defaults, an id (12 characters) and a secret
/// (32), which make the key <c>cgv_{id}_{secret}</c>: the agents get it as a Secret and the migrations make sure the
/// swarm team holds it, so a cluster's agents join the swarm with no hand steps. Rotate it by giving the id a new value.
/// </summary>
public sealed class SwarmKey
{
    public const string IdParameter = "swarm-agent-key-id";
    public const string SecretParameter = "swarm-agent-key";

    private readonly StateFolder? _state;
    private readonly ReferenceExpression? _token;

    private SwarmKey(StateFolder? state, ReferenceExpression? token) => (_state, _token) = (state, token);

    public static SwarmKey Add(IDistributedApplicationBuilder builder, CogniveServers servers)
    {
        if (servers.State is { } state)
        {
            return new(state, null);
        }

        var id = builder.AddParameter(IdParameter, new GenerateParameterDefault { MinLength = 12, Special = false }, secret: true);
        var secret = builder.AddParameter(SecretParameter, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
        return new(null, ReferenceExpression.Create($"cgv_{id.Resource}_{secret.Resource}"));
    }

    internal IResourceBuilder<ProjectResource> GiveTo(IResourceBuilder<ProjectResource> service, string fileVariable, string keyVariable) =>
        _state is not null
            ? service.WithEnvironment(fileVariable, _state.Combine(CogniveServersExtensions.SwarmKeyFileName))
            : service.WithEnvironment(keyVariable, _token!);
}

public static class SwarmKeyExtensions
{
    /// <summary>Where the service finds the swarm key: the file locally (<paramref name="fileVariable"/>), the key itself
    /// when published (<paramref name="keyVariable"/>, a secret).</summary>
    public static IResourceBuilder<ProjectResource> WithSwarmKey(this IResourceBuilder<ProjectResource> service, SwarmKey key,
        string fileVariable, string keyVariable) => key.GiveTo(service, fileVariable, keyVariable);
}

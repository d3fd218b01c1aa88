namespace Cognive.Tests.Infrastructure;

// Test classes run in parallel (xunit.runner.json), each class its own collection, all against the one shared app and
// isolated by data (a team per test). Two kinds of class opt out with [Collection(...)]:

/// <summary>
/// Classes that stop, crash or restart a resource of the shared app (the API, the workers, Redis, RabbitMQ): the
/// collection runs alone, after every parallel class has finished, so no other test sees the outage.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StopsSharedResources
{
    public const string Name = "Stops resources of the shared app";
}

/// <summary>
/// Classes that boot an AppHost of their own: they run alone too, after the parallel classes, because a whole second
/// Cognive booting beside four busy classes on two cores missed its boot deadline.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BootsOwnAppHost
{
    public const string Name = "Boots an AppHost of its own";
}

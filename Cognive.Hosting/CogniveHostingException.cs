namespace Cognive.Hosting;

/// <summary>A problem with the local set-up that the person running Cognive must fix; the message says how.</summary>
public sealed class CogniveHostingException(string message) : Exception(message);

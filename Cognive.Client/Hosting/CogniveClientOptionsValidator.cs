using Microsoft.Extensions.Options;

namespace Cognive.Client.Hosting;

/// <summary>Refuses settings the client cannot work with, at start rather than at the first call.</summary>
internal sealed class CogniveClientOptionsValidator : IValidateOptions<CogniveClientOptions>
{
    public ValidateOptionsResult Validate(string? name, CogniveClientOptions options)
    {
        var failures = new List<string>();
        if (options.Endpoint is not { IsAbsoluteUri: true })
        {
            failures.Add("The Cognive endpoint is required: ConnectionStrings:cognive-api = \"Endpoint=https://…;Key=cgv_…\" (or Cognive:Client:Endpoint).");
        }

        if (string.IsNullOrWhiteSpace(options.Key))
        {
            failures.Add("The Cognive API key is required: Key=… in the connection string (or Cognive:Client:Key).");
        }

        if (options.QueueCapacity < 1)
        {
            failures.Add("Cognive:Client:QueueCapacity is at least 1.");
        }

        if (options.BatchSize is < 1 or > 1000)
        {
            failures.Add("Cognive:Client:BatchSize is 1 to 1000.");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay || options.FlushTimeout < TimeSpan.Zero ||
            options.BudgetCheckTimeout <= TimeSpan.Zero || options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("Cognive:Client's delays and timeouts are positive, and RetryMaxDelay is at least RetryBaseDelay.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

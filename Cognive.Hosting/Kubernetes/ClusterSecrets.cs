using System.Security.Cryptography;

namespace Cognive.Hosting.Kubernetes;

/// <summary>
/// The secret parameters' values for the cluster: generated at the first publish and kept in the output folder
/// (<c>secrets/parameters.env</c>, git-ignored) so later publishes reuse them instead of rotating every password.
/// </summary>
public sealed class ClusterSecrets
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private readonly string _file;
    private readonly SortedDictionary<string, string> _values = new(StringComparer.Ordinal);

    public ClusterSecrets(string outputFolder)
    {
        _file = Path.Combine(outputFolder, "secrets", "parameters.env");
        if (File.Exists(_file))
        {
            foreach (var line in File.ReadAllLines(_file).Where(l => l.Contains('=')))
            {
                var separator = line.IndexOf('=');
                _values[line[..separator]] = line[(separator + 1)..];
            }
        }
    }

    public const int DefaultLength = 32;

    public string GetOrGenerate(string parameterName, int length)
    {
        if (!_values.TryGetValue(parameterName, out var value))
        {
            // Letters and digits: safe in URIs, connection strings and shell-free container args.
            value = RandomNumberGenerator.GetString(Alphabet, length);
            _values[parameterName] = value;
        }

        return value;
    }

    public void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        SecretFile.Write(_file, string.Concat(_values.Select(v => $"{v.Key}={v.Value}\n")));
    }
}

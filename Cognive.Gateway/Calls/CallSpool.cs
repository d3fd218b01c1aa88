using System.Text.Json;
using Cognive.Ingestion;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace Cognive.Gateway.Calls;

/// <summary>
/// The gateway's local log of the calls it answered and RabbitMQ has not confirmed yet, so a killed gateway loses none:
/// each call is one JSON line written (one <c>write</c>, no fsync) to this process's segment file before its answer
/// completes. A process's death leaves the page cache, so the line survives a kill (not a machine's crash). A segment is
/// emptied once RabbitMQ confirmed every call in it, and replaced by a new one when it grows past
/// <see cref="SegmentBytes"/> (it is deleted once its calls are confirmed). Each process holds an exclusive lock
/// (<c>flock</c>, through <see cref="FileShare.None"/>) on its segments; a segment nobody holds belongs to a process
/// that died, and any gateway sharing the folder claims it and replays it (<see cref="ClaimOrphans"/>). Replayed calls
/// keep their event ids, and the workers store each event once.
/// Measured before choosing this over publishing with confirms before the answer (one quorum queue, 600-byte message,
/// this kind of 2-core machine under load): a confirmed publish p50 11 ms, p99 52 ms; this write p50 0.001 ms,
/// p99 0.004 ms; with fsync p50 0.1 ms, p99 8 ms.
/// </summary>
public sealed class CallSpool : IDisposable
{
    public const string Extension = ".spool";
    private const long SegmentBytes = 4 * 1024 * 1024;

    private readonly string _directory;
    private readonly ILogger<CallSpool> _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<Segment> _open = [];
    private Segment? _current;

    public CallSpool(IOptions<GatewayOptions> options, ILogger<CallSpool> logger)
    {
        _directory = Path.GetFullPath(options.Value.SpoolDirectory);
        _logger = logger;
        Directory.CreateDirectory(_directory);
    }

    /// <summary>Writes the call to this process's segment; null when the disk refused it (the call is then only in memory).</summary>
    public Segment? Append(LlmCallEvent call)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(call, GatewayJson.Default.LlmCallEvent);
        try
        {
            lock (_gate)
            {
                var segment = _current ??= Segment.Create(_directory, _open);
                segment.Write(line);
                if (segment.Length >= SegmentBytes)
                {
                    _current = null;
                }

                return segment;
            }
        }
        catch (IOException e)
        {
            _logger.LogError("A gateway call could not be spooled to {Directory}; it is lost if the gateway dies before RabbitMQ takes it: {Reason}",
                _directory, e.Message);
            return null;
        }
    }

    /// <summary>RabbitMQ confirmed <paramref name="count"/> calls of the segment; one with none left is emptied, or deleted once replaced.</summary>
    public void Confirm(Segment segment, int count)
    {
        lock (_gate)
        {
            if (!segment.Confirm(count))
            {
                return;
            }

            if (segment == _current)
            {
                segment.Empty();
            }
            else
            {
                _open.Remove(segment);
                segment.Delete();
            }
        }
    }

    /// <summary>Segments of processes that died, each locked for the caller until it disposes it.</summary>
    public IEnumerable<Orphan> ClaimOrphans()
    {
        HashSet<string> own;
        lock (_gate)
        {
            own = _open.Select(s => s.Path).ToHashSet();
        }

        foreach (var path in Directory.EnumerateFiles(_directory, "*" + Extension).Where(p => !own.Contains(p)))
        {
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                continue; // its process is alive (it holds the lock), or another gateway claimed and deleted it
            }

            yield return new Orphan(path, handle, _logger);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var segment in _open)
            {
                segment.Dispose();
            }
        }
    }

    /// <summary>One segment file of this process; only touched under the spool's lock.</summary>
    public sealed class Segment : IDisposable
    {
        private static readonly byte[] LineEnd = "\n"u8.ToArray();
        private readonly SafeFileHandle _handle;
        private int _pending;

        private Segment(string path, SafeFileHandle handle)
        {
            Path = path;
            _handle = handle;
        }

        public string Path { get; }

        public long Length { get; private set; }

        public static Segment Create(string directory, HashSet<Segment> open)
        {
            var path = System.IO.Path.Combine(directory, $"{Guid.CreateVersion7():N}{Extension}");
            var segment = new Segment(path, File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None));
            open.Add(segment);
            return segment;
        }

        public void Write(byte[] line)
        {
            RandomAccess.Write(_handle, [line, LineEnd], Length);
            Length += line.Length + LineEnd.Length;
            _pending++;
        }

        /// <summary>True when no call of the segment waits for RabbitMQ any more.</summary>
        public bool Confirm(int count) => (_pending -= count) == 0;

        public void Empty()
        {
            RandomAccess.SetLength(_handle, 0);
            Length = 0;
        }

        public void Delete()
        {
            File.Delete(Path);
            _handle.Dispose();
        }

        public void Dispose() => _handle.Dispose();
    }

    /// <summary>A dead process's segment, locked by this one: its calls, then deleted once they are published.</summary>
    public sealed class Orphan(string path, SafeFileHandle handle, ILogger logger) : IDisposable
    {
        public string Path => path;

        /// <summary>Every whole line; a line cut short by the kill belonged to a call whose answer never completed.</summary>
        public List<LlmCallEvent> ReadCalls()
        {
            var bytes = new byte[RandomAccess.GetLength(handle)];
            RandomAccess.Read(handle, bytes, 0);
            var calls = new List<LlmCallEvent>();
            foreach (var line in ((ReadOnlySpan<byte>)bytes).Split((byte)'\n'))
            {
                if (bytes.AsSpan(line).IsEmpty)
                {
                    continue;
                }

                try
                {
                    calls.Add(JsonSerializer.Deserialize(bytes.AsSpan(line), GatewayJson.Default.LlmCallEvent)!);
                }
                catch (JsonException)
                {
                    logger.LogWarning("Skipped an unreadable line of the spooled calls in {Path}", path);
                }
            }

            return calls;
        }

        public void Delete() => File.Delete(path);

        public void Dispose() => handle.Dispose();
    }
}

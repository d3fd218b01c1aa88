using System.Buffers;

namespace Cognive.Ingestion;

/// <summary>
/// A growing buffer rented from the shared array pool. Message bodies of batches run to hundreds of kilobytes: as
/// fresh arrays each lands on the large object heap, which only a full collection frees (the API at saturation: five
/// gen2 collections a second). Dispose returns the buffer; a holder that cannot know the buffer is no longer read
/// (a publish that failed mid-way) simply drops it instead.
/// </summary>
public sealed class PooledBuffer(int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    public static PooledBuffer CopyOf(ReadOnlySpan<byte> bytes)
    {
        var copy = new PooledBuffer(bytes.Length);
        bytes.CopyTo(copy._buffer);
        copy.Length = bytes.Length;
        return copy;
    }

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        // Grown first: AsMemory on the field read before growing would slice the old, returned array.
        var room = Room(sizeHint);
        return _buffer.AsMemory(Length, room);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var room = Room(sizeHint);
        return _buffer.AsSpan(Length, room);
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        Length = 0;
    }

    private int Room(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - Length < needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + needed));
            _buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.Length - Length;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Cognive.Data.Audit;

/// <summary>
/// The bytes a MAC is computed over: a leading version byte, then every field as a 4-byte big-endian length and its
/// bytes (a missing value has length 0xFFFFFFFF), so no two different sets of fields encode the same.
/// </summary>
internal sealed class SealEncoding
{
    private readonly ArrayBufferWriter<byte> _bytes = new(256);

    public SealEncoding(byte version) => _bytes.Write([version]);

    public ReadOnlySpan<byte> Bytes => _bytes.WrittenSpan;

    public SealEncoding Field(ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_bytes.GetSpan(4), value.Length);
        _bytes.Advance(4);
        _bytes.Write(value);
        return this;
    }

    public SealEncoding Field(string? value)
    {
        if (value is null)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_bytes.GetSpan(4), uint.MaxValue);
            _bytes.Advance(4);
            return this;
        }

        return Field(Encoding.UTF8.GetBytes(value));
    }

    public SealEncoding Field(Guid value) => Field(value.ToByteArray(bigEndian: true));

    public SealEncoding Field(long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return Field(bytes);
    }

    /// <summary>Microseconds since the Unix epoch: the precision PostgreSQL keeps.</summary>
    public SealEncoding Field(DateTimeOffset value) => Field((value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
}

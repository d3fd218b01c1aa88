using System.Text.Json;
using Cognive.Ingestion;

namespace Cognive.Tests.Telemetry;

/// <summary>The pooled buffer queue messages are serialized into and read out of (pure logic).</summary>
public sealed class PooledBufferTests
{
    [Fact]
    public void A_message_serialized_past_the_first_rental_has_the_bytes_the_serializer_gives_alone()
    {
        var now = DateTimeOffset.UtcNow;
        var message = new LlmCallMessage(Enumerable.Range(0, 300).Select(i => new LlmCallEvent(Guid.NewGuid(), Guid.NewGuid(),
            Guid.NewGuid(), Guid.NewGuid(), "openai", $"model-{i}", i, 2 * i, 0, 100 + i, "success", now, now,
            JsonDocument.Parse($$"""{"step":{{i}}}""").RootElement)).ToList());

        using var buffer = new PooledBuffer(16);
        using (var json = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(json, message, IngestionJson.Default.LlmCallMessage);
        }

        var expected = JsonSerializer.SerializeToUtf8Bytes(message, IngestionJson.Default.LlmCallMessage);
        Assert.Equal(expected, buffer.Written.ToArray());
        using var copy = PooledBuffer.CopyOf(buffer.Written.Span);
        Assert.Equal(expected, copy.Written.ToArray());
    }
}

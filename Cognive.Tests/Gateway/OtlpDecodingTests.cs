using Cognive.Bench;
using Cognive.Gateway.Otlp;
using Cognive.Gateway.Otlp.Wire;
using Google.Protobuf;

namespace Cognive.Tests.Gateway;

/// <summary>The OTLP decoders and the GenAI mapping, without a server: what each span becomes.</summary>
public sealed class OtlpDecodingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Protobuf_and_json_bodies_decode_to_the_same_calls()
    {
        var resources = new[] { Resource("support-bot", ChatSpan(("gen_ai.usage.cache_read.input_tokens", 40L))) };

        var fromProtobuf = MapAll(Decode(OtlpRequestWriter.Protobuf(resources), OtlpEncoding.Protobuf));
        var fromJson = MapAll(Decode(OtlpRequestWriter.Json(resources), OtlpEncoding.Json));

        var call = Assert.Single(fromProtobuf).Call!;
        Assert.Equal(call, Assert.Single(fromJson).Call);
        Assert.Equal(("openai", "gpt-4o-mini-2024-07-18", 120L, 30L, 40L), (call.Provider, call.Model, call.InputTokens, call.OutputTokens, call.CachedInputTokens));
        Assert.Equal((250, "success", Now.AddSeconds(-10)), (call.LatencyMs, call.Status, call.OccurredAt));
        Assert.Equal(new AgentRef(null, "support-bot"), call.Agent);
        Assert.Equal(Convert.ToHexStringLower(TraceId), call.TraceId.ToString("N"));
    }

    [Fact]
    public void Older_attribute_names_are_the_fallbacks()
    {
        var span = ChatSpan() with
        {
            Attributes =
            [
                new("gen_ai.operation.name", "chat"), new("gen_ai.system", "Anthropic"),
                new("gen_ai.request.model", "claude-x"), new("gen_ai.usage.input_tokens", 5L),
                new("gen_ai.usage.cache_creation.input_tokens", 3L),
            ],
        };

        var call = Assert.Single(MapAll(Decode(OtlpRequestWriter.Protobuf([Resource("bot", span)]), OtlpEncoding.Protobuf))).Call!;

        Assert.Equal(("anthropic", "claude-x", 5L, 0L, 3L), (call.Provider, call.Model, call.InputTokens, call.OutputTokens, call.CacheWriteTokens));
    }

    [Fact]
    public void Spans_without_an_operation_are_ignored_and_spans_without_a_model_rejected_with_the_reason()
    {
        var plain = ChatSpan() with { Attributes = [new("http.method", "GET")] };
        var noModel = ChatSpan() with { Attributes = [new("gen_ai.operation.name", "chat"), new("gen_ai.provider.name", "openai")] };

        var verdicts = MapAll(Decode(OtlpRequestWriter.Protobuf([Resource("bot", plain, noModel)]), OtlpEncoding.Protobuf));

        Assert.Equal(SpanOutcome.Ignored, verdicts[0].Outcome);
        Assert.Equal(SpanOutcome.Rejected, verdicts[1].Outcome);
        Assert.Contains("gen_ai.response.model", verdicts[1].Reason);
    }

    [Fact]
    public void Span_attribute_agent_id_wins_and_error_status_and_old_spans_are_mapped()
    {
        var agentId = Guid.NewGuid();
        var failed = ChatSpan(("cognive.agent_id", agentId.ToString())) with { Error = true };
        var old = ChatSpan() with { Start = Now.AddDays(-31) };

        var verdicts = MapAll(Decode(OtlpRequestWriter.Protobuf([Resource("bot", failed, old)]), OtlpEncoding.Protobuf));

        Assert.Equal((new AgentRef(agentId, null), "error"), (verdicts[0].Call!.Agent, verdicts[0].Call!.Status));
        Assert.Equal(SpanOutcome.Rejected, verdicts[1].Outcome);
    }

    [Fact]
    public void Event_ids_are_the_same_for_the_same_span_and_differ_between_spans()
    {
        var first = GenAiSpans.EventIdOf(TraceId, [1, 2, 3, 4, 5, 6, 7, 8]);

        Assert.Equal(first, GenAiSpans.EventIdOf(TraceId, [1, 2, 3, 4, 5, 6, 7, 8]));
        Assert.NotEqual(first, GenAiSpans.EventIdOf(TraceId, [1, 2, 3, 4, 5, 6, 7, 9]));
        Assert.Equal(8, first.Version);
    }

    [Fact]
    public void Unknown_fields_and_attributes_of_other_kinds_are_skipped()
    {
        var span = ChatSpan(("gen_ai.request.temperature", 0.2), ("some.count", 3L));
        var body = OtlpRequestWriter.Protobuf([Resource("bot", span)]);
        // An unknown field (number 99, varint) appended to the request must be skipped, as protobuf requires.
        var withUnknown = body.Concat(new byte[] { 0x98, 0x06, 0x01 }).ToArray();

        Assert.Single(MapAll(Decode(withUnknown, OtlpEncoding.Protobuf)), v => v.Outcome == SpanOutcome.Call);
    }

    [Fact]
    public void Truncated_protobuf_and_json_of_the_wrong_shape_do_not_decode()
    {
        var body = OtlpRequestWriter.Protobuf([Resource("bot", ChatSpan())]);

        Assert.Throws<InvalidProtocolBufferException>(() => ProtobufTraceReader.Read(body, body.Length - 5));
        var json = "{\"resourceSpans\": {\"not\": \"an array\"}}"u8.ToArray();
        Assert.Throws<System.Text.Json.JsonException>(() => JsonTraceReader.Read(json, json.Length));
    }

    [Fact]
    public void Partial_success_answers_carry_the_rejected_count_and_message()
    {
        var answer = OtlpAnswers.ExportResponse(OtlpEncoding.Protobuf, 2, "two spans had no model");
        var input = new CodedInputStream(answer);
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited), input.ReadTag());
        var partial = new CodedInputStream(input.ReadBytes().ToByteArray());
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.Varint), partial.ReadTag());
        Assert.Equal(2, partial.ReadInt64());
        Assert.Equal(WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited), partial.ReadTag());
        Assert.Equal("two spans had no model", partial.ReadString());

        Assert.Empty(OtlpAnswers.ExportResponse(OtlpEncoding.Protobuf, 0, null));
        Assert.Equal("""{"partialSuccess":{"rejectedSpans":"2","errorMessage":"m"}}""",
            System.Text.Encoding.UTF8.GetString(OtlpAnswers.ExportResponse(OtlpEncoding.Json, 2, "m")));
    }

    private static readonly byte[] TraceId = Convert.FromHexString("4bf92f3577b34da6a3ce929d0e0e4736");

    private static OtlpResourceSpec Resource(string serviceName, params OtlpSpanSpec[] spans) =>
        new([new("service.name", serviceName)], spans);

    private static OtlpSpanSpec ChatSpan(params (string Key, object Value)[] extra) => new(
        TraceId, Guid.NewGuid().ToByteArray()[..8], Convert.FromHexString("00f067aa0ba902b7"), Now.AddSeconds(-10),
        TimeSpan.FromMilliseconds(250), Error: false,
        [
            new("gen_ai.operation.name", "chat"), new("gen_ai.provider.name", "OpenAI"),
            new("gen_ai.request.model", "gpt-4o-mini"), new("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
            new("gen_ai.usage.input_tokens", 120L), new("gen_ai.usage.output_tokens", 30L),
            .. extra.Select(e => new KeyValuePair<string, object>(e.Key, e.Value)),
        ]);

    private static OtlpTraces Decode(byte[] body, OtlpEncoding encoding) => encoding == OtlpEncoding.Protobuf
        ? ProtobufTraceReader.Read(body, body.Length)
        : JsonTraceReader.Read(body, body.Length);

    private static List<SpanVerdict> MapAll(OtlpTraces traces) =>
        traces.Resources.SelectMany(r => r.Spans.Select(s => GenAiSpans.Map(r, s, Now))).ToList();
}

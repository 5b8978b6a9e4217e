/**
 * Translation between the core's value types and the protobuf messages of the agent API, used
 * by the gRPC transport and as the on-disk encoding of the RocksDB store. Translating from the
 * wire validates: malformed input becomes a {@link io.meridian.agent.wire.MalformedMessageException}
 * that the transport answers by closing the stream, never a crash.
 */
package io.meridian.agent.wire;

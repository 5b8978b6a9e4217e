package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

// Proves the peer streams' gzip, which reuses one compressor per thread, writes standard gzip
// that any decoder reads back exactly, message after message.
class PeerCompressionTest {
  private final PeerCompression codec = (PeerCompression) PeerCompression.registry().lookupCompressor("gzip");

  private byte[] compress(byte[] message) throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    try (OutputStream out = codec.compress(wire)) {
      out.write(message, 0, message.length / 2);
      for (int i = message.length / 2; i < message.length; i++) {
        out.write(message[i]);
      }
    }
    return wire.toByteArray();
  }

  @Test
  void consecutiveMessagesOnOneThreadDecodeAsStandardGzip() throws IOException {
    Random random = new Random(42);
    for (int size : new int[] {0, 1, 100, 70_000, 3, 1 << 20}) {
      byte[] message = new byte[size];
      for (int i = 0; i < size; i++) {
        message[i] = (byte) (random.nextInt(16) + 'a');
      }

      byte[] wire = compress(message);

      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(wire))) {
        assertThat(in.readAllBytes()).isEqualTo(message);
      }
      try (InputStream in = codec.decompress(new ByteArrayInputStream(wire))) {
        assertThat(in.readAllBytes()).isEqualTo(message);
      }
    }
  }
}

package io.meridian.agent.transport;

import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;

/**
 * The {@code gzip} message encoding of peer streams at {@link Deflater#BEST_SPEED}, with one
 * compressor per thread reused across messages. gRPC's own gzip compresses at the default level
 * and sets up a new compressor (hundreds of KiB of zlib state) for every message, which cost about
 * a tenth of a busy agent's CPU. The encoding is still standard gzip, so any peer decodes it.
 */
public final class PeerCompression implements Codec {
  private PeerCompression() {}

  /** A registry offering this {@code gzip} and no compression; for servers and channels. */
  public static CompressorRegistry registry() {
    CompressorRegistry registry = CompressorRegistry.newEmptyInstance();
    registry.register(new PeerCompression());
    registry.register(Codec.Identity.NONE);
    return registry;
  }

  @Override
  public String getMessageEncoding() {
    return "gzip";
  }

  // gRPC compresses a message completely (compress, write, close) on one thread before the next.
  private static final ThreadLocal<Deflater> DEFLATERS =
      ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED, true));
  private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, 0};
  private static final int BUFFER_BYTES = 8192;

  @Override
  public OutputStream compress(OutputStream os) throws IOException {
    Deflater deflater = DEFLATERS.get();
    deflater.reset();
    return new ReusingGzipOutputStream(os, deflater);
  }

  @Override
  public InputStream decompress(InputStream is) throws IOException {
    return new GZIPInputStream(is);
  }

  /** A gzip member written with a borrowed raw deflater, which closing leaves open for reuse. */
  private static final class ReusingGzipOutputStream extends DeflaterOutputStream {
    private final CRC32 crc = new CRC32();
    private boolean trailerWritten;

    ReusingGzipOutputStream(OutputStream out, Deflater deflater) throws IOException {
      super(out, deflater, BUFFER_BYTES);
      out.write(GZIP_HEADER);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      super.write(bytes, offset, length);
      crc.update(bytes, offset, length);
    }

    @Override
    public void finish() throws IOException {
      if (trailerWritten) {
        return;
      }
      super.finish();
      writeIntLittleEndian((int) crc.getValue());
      writeIntLittleEndian((int) def.getBytesRead());
      trailerWritten = true;
    }

    private void writeIntLittleEndian(int value) throws IOException {
      out.write(value & 0xff);
      out.write((value >>> 8) & 0xff);
      out.write((value >>> 16) & 0xff);
      out.write((value >>> 24) & 0xff);
    }
  }
}

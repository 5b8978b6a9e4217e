package io.meridian.agent.core.conflict;

import java.util.Arrays;

/** A growing byte buffer with varint encoding; the canonical form of conflict states. */
final class ByteWriter {
  private byte[] buffer = new byte[64];
  private int size;

  void writeByte(int value) {
    ensure(1);
    buffer[size++] = (byte) value;
  }

  void writeVarint(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("varints are not negative: " + value);
    }
    while (value >= 0x80) {
      writeByte((int) (value & 0x7F) | 0x80);
      value >>>= 7;
    }
    writeByte((int) value);
  }

  void writeLong(long value) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buffer[size++] = (byte) (value >>> shift);
    }
  }

  void writeBytes(byte[] bytes) {
    writeVarint(bytes.length);
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buffer, size, bytes.length);
    size += bytes.length;
  }

  /** A region name (every string the conflict states write is one), its bytes cached. */
  void writeString(String text) {
    writeBytes(RegionNames.encode(text));
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buffer, size);
  }

  private void ensure(int more) {
    if (size + more > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
    }
  }
}

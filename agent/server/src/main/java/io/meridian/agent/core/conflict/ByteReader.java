package io.meridian.agent.core.conflict;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link ByteWriter} wrote; malformed input is an {@link IllegalArgumentException}. */
final class ByteReader {
  private final byte[] data;
  private int position;

  ByteReader(byte[] data) {
    this.data = data;
  }

  int readByte() {
    if (position >= data.length) {
      throw new IllegalArgumentException("truncated: needed a byte at offset " + position);
    }
    return data[position++] & 0xFF;
  }

  long readVarint() {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int next = readByte();
      value |= (long) (next & 0x7F) << shift;
      if ((next & 0x80) == 0) {
        if (value < 0) {
          throw new IllegalArgumentException("varint out of range at offset " + position);
        }
        return value;
      }
    }
    throw new IllegalArgumentException("varint too long at offset " + position);
  }

  /** A count of following items, checked against the bytes left so garbage cannot allocate much. */
  int readCount() {
    long count = readVarint();
    if (count > data.length - position) {
      throw new IllegalArgumentException("count " + count + " exceeds the " + (data.length - position)
          + " bytes left at offset " + position);
    }
    return (int) count;
  }

  long readLong() {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | readByte();
    }
    return value;
  }

  byte[] readBytes() {
    int length = readCount();
    byte[] bytes = Arrays.copyOfRange(data, position, position + length);
    position += length;
    return bytes;
  }

  /** Skips what {@link ByteWriter#writeBytes} wrote, copying nothing. */
  void skipBytes() {
    int length = readCount(); // read first: "position += readCount()" would add to the old position
    position += length;
  }

  /** Skips {@code count} bytes. */
  void skip(int count) {
    if (count > data.length - position) {
      throw new IllegalArgumentException("truncated: needed " + count + " bytes at offset " + position);
    }
    position += count;
  }

  String readString() {
    return new String(readBytes(), StandardCharsets.UTF_8);
  }

  void requireEnd(String what) {
    if (position != data.length) {
      throw new IllegalArgumentException(what + ": " + (data.length - position) + " unexpected bytes at the end");
    }
  }

  /** A region name: interned, so the many dots and stamps of a decoded state share a few strings. */
  String readRegion() {
    int length = readCount();
    String region = RegionNames.decode(data, position, length);
    position += length;
    return region;
  }

  /** Whether every byte was read. */
  boolean atEnd() {
    return position == data.length;
  }
}

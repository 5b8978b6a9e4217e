package io.meridian.agent.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** An immutable byte string with value equality, ordered as unsigned bytes; keys and values. */
public final class Bytes implements Comparable<Bytes> {
  /** The empty byte string. */
  public static final Bytes EMPTY = new Bytes(new byte[0]);

  private final byte[] data;

  private Bytes(byte[] data) {
    this.data = data;
  }

  /** A copy of {@code data}. */
  public static Bytes copyOf(byte[] data) {
    return new Bytes(data.clone());
  }

  /** The UTF-8 encoding of {@code text}. */
  public static Bytes ofUtf8(String text) {
    return new Bytes(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Number of bytes. */
  public int size() {
    return data.length;
  }

  /** Whether there are no bytes. */
  public boolean isEmpty() {
    return data.length == 0;
  }

  /** Whether these bytes begin with {@code prefix}. */
  public boolean startsWith(byte[] prefix) {
    return data.length >= prefix.length && java.util.Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** A fresh copy of the bytes. */
  public byte[] toByteArray() {
    return data.clone();
  }

  /** The bytes decoded as UTF-8, for messages and tests. */
  public String toUtf8() {
    return new String(data, StandardCharsets.UTF_8);
  }

  @Override
  public int compareTo(Bytes other) {
    return Arrays.compareUnsigned(data, other.data);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Bytes && Arrays.equals(data, ((Bytes) other).data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return data.length <= 64 ? toUtf8() : toUtf8().substring(0, 64) + "…(" + data.length + " bytes)";
  }
}

package io.meridian.agent.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** An immutable byte string with value equality, ordered as unsigned bytes; keys and values. */
public final class Bytes implements Comparable<Bytes> {
  /** The empty byte string. */
  public static final Bytes EMPTY = new Bytes(new byte[0]);

  private final byte[] data;
  // Computed on first use (0: not yet); keys are hashed on every map look-up of a write.
  private int hash;

  private Bytes(byte[] data) {
    this.data = data;
  }

  /**
   * Takes {@code data} without copying it. Only for arrays nobody else holds or will change (a
   * fresh array from a decoder): the byte string stays immutable only if the array does.
   */
  public static Bytes wrapOwned(byte[] data) {
    return new Bytes(data);
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

  /**
   * The bytes themselves, not a copy, for encoders that only read them (protobuf's
   * {@code UnsafeByteOperations.unsafeWrap}); the caller must never change them.
   */
  public byte[] sharedArray() {
    return data;
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
    int h = hash;
    if (h == 0) {
      h = Arrays.hashCode(data);
      hash = h;
    }
    return h;
  }

  @Override
  public String toString() {
    return data.length <= 64 ? toUtf8() : toUtf8().substring(0, 64) + "…(" + data.length + " bytes)";
  }
}

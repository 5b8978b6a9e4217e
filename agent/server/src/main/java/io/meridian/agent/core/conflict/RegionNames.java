package io.meridian.agent.core.conflict;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Region names as the conflict states encode them (UTF-8) and back, cached: every write's stamp
 * and causal context names regions, and a deployment has a handful of them. Encoding a name was
 * about 3 % of a multi-primary agent's CPU (a fresh array per name per write-back), decoding one a
 * new string and an intern per name read from the store (ADR 0040).
 */
final class RegionNames {
  /** Most names cached; beyond it names are encoded and decoded afresh (correct, only slower). */
  static final int CACHED_MAX = 1024;

  // Copied on write and published through a volatile field: lookups take no lock, and the core
  // uses no concurrency classes (CoreArchitectureTest). Two racing inserts may lose one, which only
  // means encoding that name afresh next time.
  private static volatile Map<String, byte[]> encoded = Map.of();
  private static volatile Map<Key, String> decoded = Map.of();

  private RegionNames() {}

  /** The UTF-8 bytes of {@code region}; the caller must not change them. */
  static byte[] encode(String region) {
    byte[] bytes = encoded.get(region);
    if (bytes == null) {
      bytes = region.getBytes(StandardCharsets.UTF_8);
      Map<String, byte[]> current = encoded;
      if (current.size() < CACHED_MAX) {
        Map<String, byte[]> next = new HashMap<>(current);
        next.put(region, bytes);
        encoded = next;
      }
    }
    return bytes;
  }

  /** The (interned) region name in {@code data[from, from + length)}. */
  static String decode(byte[] data, int from, int length) {
    Key probe = new Key(data, from, length);
    String region = decoded.get(probe);
    if (region == null) {
      region = new String(data, from, length, StandardCharsets.UTF_8).intern();
      Map<Key, String> current = decoded;
      if (current.size() < CACHED_MAX) {
        Map<Key, String> next = new HashMap<>(current);
        next.put(new Key(Arrays.copyOfRange(data, from, from + length), 0, length), region);
        decoded = next;
      }
    }
    return region;
  }

  /** A slice of bytes compared by content, so a lookup needs no copy. */
  private static final class Key {
    private final byte[] data;
    private final int from;
    private final int length;
    private final int hash;

    Key(byte[] data, int from, int length) {
      this.data = data;
      this.from = from;
      this.length = length;
      int h = 1;
      for (int i = from; i < from + length; i++) {
        h = 31 * h + data[i];
      }
      this.hash = h;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key && Arrays.equals(data, from, from + length, ((Key) other).data,
          ((Key) other).from, ((Key) other).from + ((Key) other).length);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}

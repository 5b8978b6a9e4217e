package io.meridian.agent.core.probe;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The reserved key space of consistency probes (ADR 0022). Probe keys start with a zero byte and
 * {@code meridian-probe/}; clients cannot read or write them (the KV service refuses them), so
 * probes never show up as user data. Each source region writes one key per dataset; its value is the
 * writer's {@link ProbeId}.
 */
public final class ProbeKeys {
  /** Every probe key starts with these bytes. */
  public static final byte[] PREFIX = "\u0000meridian-probe/".getBytes(StandardCharsets.UTF_8);

  private ProbeKeys() {}

  /** The key {@code sourceRegion} probes with. */
  public static byte[] keyOf(String sourceRegion) {
    byte[] region = sourceRegion.getBytes(StandardCharsets.UTF_8);
    byte[] key = Arrays.copyOf(PREFIX, PREFIX.length + region.length);
    System.arraycopy(region, 0, key, PREFIX.length, region.length);
    return key;
  }

  /** Whether {@code key} lies in the probes' reserved space. */
  public static boolean isReserved(byte[] key) {
    return key.length >= PREFIX.length && Arrays.equals(key, 0, PREFIX.length, PREFIX, 0, PREFIX.length);
  }

  /** A probe value: {@code incarnation/number} in decimal. */
  public static byte[] valueOf(ProbeId id) {
    return (id.incarnation() + "/" + id.number()).getBytes(StandardCharsets.UTF_8);
  }

  /** The probe a value names; empty for a value no probe wrote (reported, never trusted). */
  public static Optional<ProbeId> parse(byte[] value) {
    String text = new String(value, StandardCharsets.UTF_8);
    int slash = text.indexOf('/');
    if (slash <= 0) {
      return Optional.empty();
    }
    try {
      long incarnation = Long.parseLong(text.substring(0, slash));
      long number = Long.parseLong(text.substring(slash + 1));
      return incarnation >= 0 && number >= 1 ? Optional.of(new ProbeId(incarnation, number)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}

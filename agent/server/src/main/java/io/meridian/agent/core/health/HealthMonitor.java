package io.meridian.agent.core.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One region's view of its peers' health: a {@link PhiAccrualFailureDetector} per peer, fed with
 * the arrival of any message from it, and thresholds turning phi into {@link RegionHealth}. A peer
 * is judged only once it has been heard from: replicas of a dataset exchange nothing with each
 * other, so silence from a peer never heard says nothing about it.
 */
public final class HealthMonitor {
  /** Settings, named. */
  public record Settings(int intervalsMax, long expectedIntervalMillis, long minStdDeviationMillis,
      long acceptablePauseMillis, double suspectPhi, double downPhi) {
    /** Validates the thresholds' order. */
    public Settings {
      if (!(suspectPhi > 0 && downPhi > suspectPhi)) {
        throw new IllegalArgumentException("phi thresholds must satisfy 0 < suspect < down: " + suspectPhi
            + ", " + downPhi);
      }
    }
  }

  /**
   * Defaults for heartbeats every 200 ms on a WAN: suspect at phi 3, down at phi 8. With jitter of
   * a few tens of milliseconds, a silent peer reaches phi 8 in about 700 ms and normal jitter
   * stays below phi 1 (see {@code HealthMonitorTest}).
   */
  public static final Settings DEFAULTS = new Settings(100, 200, 50, 200, 3, 8);

  /** A peer's health changed in this region's eyes. */
  public record Change(String peer, RegionHealth from, RegionHealth to, double phi) {}

  private final Settings settings;
  private final Map<String, PhiAccrualFailureDetector> detectors = new TreeMap<>();
  private final Map<String, RegionHealth> health = new TreeMap<>();

  /** Watches {@code peers}. */
  public HealthMonitor(Settings settings, List<String> peers) {
    this.settings = settings;
    for (String peer : peers) {
      detectors.put(peer, new PhiAccrualFailureDetector(settings.intervalsMax(), settings.expectedIntervalMillis(),
          settings.minStdDeviationMillis(), settings.acceptablePauseMillis()));
      health.put(peer, RegionHealth.HEALTHY);
    }
  }

  /** Something arrived from {@code peer}; unknown peers are ignored. */
  public void heard(String peer, long nowMillis) {
    PhiAccrualFailureDetector detector = detectors.get(peer);
    if (detector != null) {
      detector.heartbeat(nowMillis);
    }
  }

  /** The peer's suspicion level now. */
  public double phi(String peer, long nowMillis) {
    PhiAccrualFailureDetector detector = detectors.get(peer);
    if (detector == null) {
      return 0;
    }
    return detector.phi(nowMillis);
  }

  /** Re-evaluates every peer and returns the changes since the last call. */
  public List<Change> evaluate(long nowMillis) {
    List<Change> changes = new ArrayList<>();
    for (Map.Entry<String, RegionHealth> entry : health.entrySet()) {
      double phi = phi(entry.getKey(), nowMillis);
      RegionHealth now = phi >= settings.downPhi() ? RegionHealth.DOWN
          : phi >= settings.suspectPhi() ? RegionHealth.SUSPECT : RegionHealth.HEALTHY;
      if (now != entry.getValue()) {
        changes.add(new Change(entry.getKey(), entry.getValue(), now, phi));
        entry.setValue(now);
      }
    }
    return changes;
  }

  /** The health of every watched peer as last evaluated. */
  public Map<String, RegionHealth> health() {
    return new TreeMap<>(health);
  }
}

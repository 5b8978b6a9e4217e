package io.meridian.agent.core.replication;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a last-writer-wins quorum replica needs to know about a key to decide whether an incoming
 * write is newer (ADR 0057): the version's hybrid clock timestamp and committing region, and whether
 * the key holds a value, for the keys held most recently. A replica otherwise reads and decodes the
 * key's stored change for every write it holds.
 *
 * <p>Coherent because the quorum engine is the only writer of its dataset's key-value state: it
 * fills the cache with what it appended (after the append) and with what it read; anti-entropy
 * merges through the engine; nothing else writes a quorum dataset's state while it runs. A restart
 * starts with an empty cache. Bounded by {@code keysMax}, least recently used keys leaving first;
 * a key that left is simply read from the store again.
 */
final class LatestVersions {
  /** The newest version a key holds, reduced to what last-writer-wins compares, and its kind. */
  record Latest(long timestampPacked, String committedBy, boolean live) {
    static Latest of(Change change) {
      return new Latest(change.version().timestamp().pack(), change.version().committedBy(),
          change.kind() == ChangeKind.PUT);
    }

    /** As {@link QuorumReplication}'s order: timestamp, then committing region; ≥ 0 if this is not older. */
    int compareTo(Version version) {
      int byTime = Long.compare(timestampPacked, version.timestamp().pack());
      return byTime != 0 ? byTime : committedBy.compareTo(version.committedBy());
    }
  }

  private final int keysMax;
  // The dataset's regions, so cached entries share one String per region instead of keeping each
  // decoded change's own copy.
  private final List<String> regions;
  private final LinkedHashMap<Bytes, Latest> entries;

  LatestVersions(int keysMax, List<String> regions) {
    Invariants.check(keysMax >= 1, "the latest-version cache needs room for a key, got %d", keysMax);
    this.keysMax = keysMax;
    this.regions = List.copyOf(regions);
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Bytes, Latest> eldest) {
        return size() > LatestVersions.this.keysMax;
      }
    };
  }

  /** What {@code key} is known to hold, or null when it is not cached (not that it is absent). */
  Latest get(Bytes key) {
    return entries.get(key);
  }

  /** Records that {@code change} is what its key holds now (appended, or read from the store). */
  void held(Change change) {
    Version version = change.version();
    entries.put(change.key(), new Latest(version.timestamp().pack(), region(version.committedBy()),
        change.kind() == ChangeKind.PUT));
  }

  /** Records that {@code key} holds {@code state}, as read from the store. */
  void read(Bytes key, StoredValue state) {
    Version version = state.version();
    entries.put(key, new Latest(version.timestamp().pack(), region(version.committedBy()), state.live()));
  }

  /** Keys cached now; at most the bound. */
  int size() {
    return entries.size();
  }

  private String region(String name) {
    for (String region : regions) {
      if (region.equals(name)) {
        return region;
      }
    }
    return name;
  }
}

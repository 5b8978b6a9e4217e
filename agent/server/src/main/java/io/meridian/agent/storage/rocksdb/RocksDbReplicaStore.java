package io.meridian.agent.storage.rocksdb;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.wire.ChangeEncodingCache;
import io.meridian.agent.wire.WireMapping;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A {@link ReplicaStore} on RocksDB.
 *
 * <p>Layout: per dataset {@code D}, column family {@code D} maps key to the latest change (value,
 * version, tombstone flag) and {@code D.log} maps the 8-byte big-endian sequence to the change;
 * the default column family holds {@code epoch/D}. Changes are encoded as the protobuf {@code
 * meridian.v1.Change}, the same message peers exchange. An append is one {@link WriteBatch}
 * through the write-ahead log, so state and log never disagree after a crash; {@link #sync()}
 * forces the write-ahead log to disk.
 *
 * <p>Not thread-safe beyond what RocksDB guarantees: the agent drives it from one thread.
 */
public final class RocksDbReplicaStore implements ReplicaStore, AutoCloseable {
  private static final String LOG_SUFFIX = ".log";

  static {
    RocksDB.loadLibrary();
  }

  private final DBOptions options;
  private final ColumnFamilyOptions columnFamilyOptions;
  // Merged-state families (ADR 0040) with a Bloom filter: most writes touch a key the store does
  // not hold yet, and without a filter such a miss searches every level's index.
  private final ColumnFamilyOptions mergedFamilyOptions;
  private final WriteOptions writeOptions;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final Map<String, ColumnFamilyHandle> stateFamilies = new HashMap<>();
  private final Map<String, ColumnFamilyHandle> logFamilies = new HashMap<>();
  private final Map<String, Long> lastSequences = new HashMap<>();
  private final Map<String, Long> truncatedThroughs = new HashMap<>();
  private final Map<String, LogTail> tails = new HashMap<>();
  // Multi-primary merged state (ADR 0033): column family "D.merged" per dataset D, opened with the
  // store when it exists, created on first write otherwise.
  private static final String MERGED_SUFFIX = ".merged";
  /** Bloom filter bits per key of the merged-state families: about 1 % false positives. */
  static final int MERGED_BLOOM_BITS_PER_KEY = 10;
  private final Map<String, ColumnFamilyHandle> openedFamilies = new HashMap<>();
  private final Map<String, ColumnFamilyHandle> mergedFamilies = new HashMap<>();
  // Datasets whose per-key state family is not written (keepLogOnly, ADR 0052): multi-primary logs.
  private final java.util.Set<String> logOnly = new java.util.HashSet<>();

  /** Most recent log entries kept in memory per dataset, so shipping them needs no read and decode. */
  public static final int TAIL_CHANGES_MAX = 16_384;
  /** Most payload bytes of the in-memory log tail per dataset. */
  public static final long TAIL_BYTES_MAX = 16L << 20;

  /**
   * The newest appended changes of one dataset, consecutive and ending at its last sequence; the
   * primary reads batches for its replicas from here while they keep up.
   */
  private static final class LogTail {
    final Change[] ring = new Change[TAIL_CHANGES_MAX];
    // Each slot's change size, so dropping the oldest change reads no cold Change object (a cache
    // miss per append once the tail is full: 4 % of a replica's samples, ADR 0050).
    final long[] sizes = new long[TAIL_CHANGES_MAX];
    long firstSequence = 1;
    int size;
    long bytes;

    void add(Change change) {
      if (size > 0) {
        // Not Invariants.check with arguments: this runs for every change and boxing them costs.
        if (change.sequence() != firstSequence + size) {
          Invariants.check(false, "log tail: " + change.sequence() + " does not follow "
              + (firstSequence + size - 1));
        }
      } else {
        firstSequence = change.sequence();
      }
      if (size == TAIL_CHANGES_MAX) {
        dropOldest();
      }
      int slot = (int) ((firstSequence + size) % TAIL_CHANGES_MAX);
      long changeBytes = change.sizeBytes();
      ring[slot] = change;
      sizes[slot] = changeBytes;
      size++;
      bytes += changeBytes;
      while (bytes > TAIL_BYTES_MAX && size > 1) {
        dropOldest();
      }
    }

    private void dropOldest() {
      int slot = (int) (firstSequence % TAIL_CHANGES_MAX);
      bytes -= sizes[slot];
      ring[slot] = null;
      firstSequence++;
      size--;
    }

    boolean holds(long sequence) {
      return size > 0 && sequence >= firstSequence && sequence < firstSequence + size;
    }

    Change get(long sequence) {
      return ring[(int) (sequence % TAIL_CHANGES_MAX)];
    }
  }

  /**
   * Opens (or creates) the store in {@code directory} for {@code datasets}.
   *
   * @throws StorageException if RocksDB cannot open it
   */
  public RocksDbReplicaStore(Path directory, List<String> datasets) {
    try {
      Files.createDirectories(directory);
      options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
      columnFamilyOptions = new ColumnFamilyOptions();
      mergedFamilyOptions = new ColumnFamilyOptions().setTableFormatConfig(
          new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(MERGED_BLOOM_BITS_PER_KEY)));
      writeOptions = new WriteOptions().setSync(false);
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnFamilyOptions));
      for (String dataset : datasets) {
        descriptors.add(new ColumnFamilyDescriptor(name(dataset), columnFamilyOptions));
        descriptors.add(new ColumnFamilyDescriptor(name(dataset + LOG_SUFFIX), columnFamilyOptions));
      }
      // Column families of datasets no longer configured must still be opened.
      for (byte[] existing : existingColumnFamilies(directory)) {
        if (descriptors.stream().noneMatch(d -> Arrays.equals(d.getName(), existing))) {
          boolean merged = new String(existing, StandardCharsets.UTF_8).endsWith(MERGED_SUFFIX);
          descriptors.add(new ColumnFamilyDescriptor(existing, merged ? mergedFamilyOptions : columnFamilyOptions));
        }
      }
      handles = new ArrayList<>();
      db = RocksDB.open(options, directory.toString(), descriptors, handles);
      for (int i = 0; i < descriptors.size(); i++) {
        openedFamilies.put(new String(descriptors.get(i).getName(), StandardCharsets.UTF_8), handles.get(i));
      }
      for (int i = 0; i < datasets.size(); i++) {
        String dataset = datasets.get(i);
        stateFamilies.put(dataset, handles.get(1 + 2 * i));
        logFamilies.put(dataset, handles.get(2 + 2 * i));
        long truncated = readTruncatedThrough(dataset);
        truncatedThroughs.put(dataset, truncated);
        lastSequences.put(dataset, Math.max(truncated, readLastSequence(handles.get(2 + 2 * i))));
      }
    } catch (RocksDBException | IOException e) {
      throw new StorageException("cannot open the store in " + directory + ": " + e.getMessage()
          + ". Check that the directory is writable and not used by another agent.", e);
    }
  }

  private static List<byte[]> existingColumnFamilies(Path directory) throws RocksDBException {
    if (!Files.exists(directory.resolve("CURRENT"))) {
      return List.of();
    }
    try (Options listing = new Options()) {
      return RocksDB.listColumnFamilies(listing, directory.toString());
    }
  }

  private static byte[] name(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private long readTruncatedThrough(String dataset) throws RocksDBException {
    byte[] stored = db.get(name("truncated/" + dataset));
    return stored == null ? 0 : ByteBuffer.wrap(stored).getLong();
  }

  private long readLastSequence(ColumnFamilyHandle log) {
    try (RocksIterator iterator = db.newIterator(log)) {
      iterator.seekToLast();
      return iterator.isValid() ? ByteBuffer.wrap(iterator.key()).getLong() : 0;
    }
  }

  private ColumnFamilyHandle state(String dataset) {
    if (logOnly.contains(dataset)) {
      Invariants.check(false, "dataset " + dataset + " keeps its log only (keepLogOnly, ADR 0052); its per-key"
          + " state is not kept");
    }
    ColumnFamilyHandle handle = stateFamilies.get(dataset);
    if (handle == null) { // Varargs only when it fails: this runs for every read and write.
      Invariants.check(false, "dataset %s was not opened in this store", dataset);
    }
    return handle;
  }

  private ColumnFamilyHandle log(String dataset) {
    ColumnFamilyHandle handle = logFamilies.get(dataset);
    if (handle == null) { // Varargs only when it fails: this runs for every read and write.
      Invariants.check(false, "dataset %s was not opened in this store", dataset);
    }
    return handle;
  }

  private static byte[] sequenceKey(long sequence) {
    return ByteBuffer.allocate(Long.BYTES).putLong(sequence).array();
  }

  @Override
  public long lastSequence(String dataset) {
    log(dataset);
    return lastSequences.get(dataset);
  }

  @Override
  public Optional<StoredValue> get(String dataset, Bytes key) {
    try {
      byte[] stored = db.get(state(dataset), key.sharedArray());
      if (stored == null) {
        return Optional.empty();
      }
      Change change = decode(stored);
      if (!change.key().equals(key)) { // Varargs only when it fails: one read per quorum hold.
        Invariants.check(false, "dataset %s: stored state for %s names key %s", dataset, key, change.key());
      }
      return Optional.of(StoredValue.of(change));
    } catch (RocksDBException e) {
      throw new StorageException("cannot read dataset " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void append(String dataset, List<Change> changes) {
    long expected = lastSequence(dataset) + 1;
    boolean withState = !logOnly.contains(dataset);
    try (WriteBatch batch = new WriteBatch()) {
      for (Change change : changes) {
        if (change.sequence() != expected) {
          Invariants.check(false, "dataset " + dataset + ": append of sequence " + change.sequence()
              + " where " + expected + " was expected (never twice, never skipped)");
        }
        // Through the shared cache: the transport then sends this very encoding (ADR 0037).
        byte[] encoded = ChangeEncodingCache.shared().encode(change).toByteArray();
        batch.put(log(dataset), sequenceKey(change.sequence()), encoded);
        if (withState) {
          batch.put(state(dataset), change.key().sharedArray(), encoded); // RocksDB copies what it reads.
        }
        expected++;
      }
      db.write(writeOptions, batch);
      lastSequences.put(dataset, expected - 1);
      // Only a dataset whose log is read (a primary shipping it) keeps a tail.
      LogTail tail = tails.get(dataset);
      if (tail != null) {
        for (Change change : changes) {
          tail.add(change);
        }
      }
    } catch (RocksDBException e) {
      throw new StorageException("cannot append to dataset " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<Change> readLog(String dataset, long fromSequence, int changesMax, long bytesMax) {
    Invariants.check(fromSequence >= 1, "log sequences start at 1, asked for %d", fromSequence);
    if (fromSequence <= truncatedThroughs.get(dataset)) {
      Invariants.check(false, "dataset " + dataset + ": the log was truncated through "
          + truncatedThroughs.get(dataset) + ", asked for " + fromSequence);
    }
    List<Change> result = new ArrayList<>();
    long bytes = 0;
    LogTail tail = tails.computeIfAbsent(dataset, unused -> new LogTail());
    if (tail.holds(fromSequence)) {
      for (long sequence = fromSequence; tail.holds(sequence) && result.size() < changesMax; sequence++) {
        Change change = tail.get(sequence);
        if (!result.isEmpty() && bytes + change.sizeBytes() > bytesMax) {
          break;
        }
        bytes += change.sizeBytes();
        result.add(change);
      }
      return result;
    }
    try (RocksIterator iterator = db.newIterator(log(dataset))) {
      iterator.seek(sequenceKey(fromSequence));
      long expected = fromSequence;
      while (iterator.isValid() && result.size() < changesMax) {
        Change change = decode(iterator.value());
        Invariants.check(change.sequence() == expected, "dataset %s: log holds %d where %d belongs",
            dataset, change.sequence(), expected);
        if (!result.isEmpty() && bytes + change.sizeBytes() > bytesMax) {
          break;
        }
        bytes += change.sizeBytes();
        result.add(change);
        expected++;
        iterator.next();
      }
    }
    return result;
  }

  @Override
  public long epoch(String dataset) {
    try {
      byte[] stored = db.get(name("epoch/" + dataset));
      return stored == null ? 0 : ByteBuffer.wrap(stored).getLong();
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the epoch of " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void saveEpoch(String dataset, long epoch) {
    long current = epoch(dataset);
    Invariants.check(epoch >= current, "dataset %s: epoch must not go back from %d to %d", dataset, current, epoch);
    try {
      db.put(writeOptions, name("epoch/" + dataset), sequenceKey(epoch));
    } catch (RocksDBException e) {
      throw new StorageException("cannot record the epoch of " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long nextIncarnation(String dataset) {
    try (WriteOptions synced = new WriteOptions().setSync(true)) {
      byte[] stored = db.get(name("incarnation/" + dataset));
      long next = (stored == null ? 0 : ByteBuffer.wrap(stored).getLong()) + 1;
      db.put(synced, name("incarnation/" + dataset), sequenceKey(next));
      return next;
    } catch (RocksDBException e) {
      throw new StorageException("cannot count the start of " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void saveDecision(String dataset, long epoch, String primary) {
    long current = epoch(dataset);
    Invariants.check(epoch >= current, "dataset %s: epoch must not go back from %d to %d", dataset, current, epoch);
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(name("epoch/" + dataset), sequenceKey(epoch));
      byte[] primaryName = name(primary);
      batch.put(name("primary/" + dataset),
          ByteBuffer.allocate(Long.BYTES + primaryName.length).putLong(epoch).put(primaryName).array());
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new StorageException("cannot record the failover decision of " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void savePledge(String dataset, io.meridian.agent.core.storage.Pledge pledge) {
    // Synced: a release the failover group may count must survive a crash (ADR 0019).
    try (WriteOptions synced = new WriteOptions().setSync(true)) {
      db.put(synced, name("pledge/" + dataset), ByteBuffer.allocate(2 * Long.BYTES + 1).putLong(pledge.epoch())
          .putLong(pledge.generation()).put((byte) (pledge.released() ? 1 : 0)).array());
    } catch (RocksDBException e) {
      throw new StorageException("cannot record the failover pledge of " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<io.meridian.agent.core.storage.Pledge> pledge(String dataset) {
    try {
      byte[] stored = db.get(name("pledge/" + dataset));
      if (stored == null) {
        return Optional.empty();
      }
      ByteBuffer buffer = ByteBuffer.wrap(stored);
      return Optional.of(new io.meridian.agent.core.storage.Pledge(buffer.getLong(), buffer.getLong(), buffer.get() == 1));
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the failover pledge of " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<String> decidedPrimary(String dataset) {
    try {
      byte[] stored = db.get(name("primary/" + dataset));
      if (stored == null || ByteBuffer.wrap(stored).getLong() != epoch(dataset)) {
        return Optional.empty();
      }
      return Optional.of(new String(stored, Long.BYTES, stored.length - Long.BYTES, StandardCharsets.UTF_8));
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the decided primary of " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<Change> truncateAfter(String dataset, long sequence) {
    Invariants.check(sequence >= truncatedThroughs.get(dataset), "dataset %s: cannot truncate after %d"
        + " (the log starts after %d)", dataset, sequence, truncatedThroughs.get(dataset));
    long last = lastSequence(dataset);
    if (sequence >= last) {
      return List.of();
    }
    List<Change> removed = readLog(dataset, sequence + 1, (int) (last - sequence), Long.MAX_VALUE);
    Invariants.check(removed.size() == last - sequence, "dataset %s: log after %d holds %d entries, expected %d",
        dataset, sequence, removed.size(), last - sequence);
    Set<Bytes> unresolved = new HashSet<>();
    for (Change change : removed) {
      unresolved.add(change.key());
    }
    try (WriteBatch batch = new WriteBatch(); RocksIterator iterator = db.newIterator(log(dataset))) {
      for (Change change : removed) {
        batch.delete(log(dataset), sequenceKey(change.sequence()));
      }
      // One backward scan restores every touched key to its newest remaining change; rare (only
      // after a failover) and bounded by the log length.
      if (sequence > 0) {
        iterator.seekForPrev(sequenceKey(sequence));
      }
      while (sequence > 0 && iterator.isValid() && !unresolved.isEmpty()) {
        Change change = decode(iterator.value());
        if (unresolved.remove(change.key())) {
          batch.put(state(dataset), change.key().toByteArray(), iterator.value());
        }
        iterator.prev();
      }
      long start = truncatedThroughs.get(dataset);
      if (start > 0 && !unresolved.isEmpty()) {
        // Their older state came from changes truncated away: it cannot be restored from the log.
        Invariants.check(false, "dataset " + dataset + ": cannot roll back " + unresolved.size()
            + " keys past the log's start " + start + " (truncated); the dataset needs a snapshot");
      }
      for (Bytes key : unresolved) {
        batch.delete(state(dataset), key.toByteArray());
      }
      db.write(writeOptions, batch);
      lastSequences.put(dataset, sequence);
      tails.remove(dataset); // The cached tail held the removed suffix; it refills from the next append.
    } catch (RocksDBException e) {
      throw new StorageException("cannot truncate dataset " + dataset + ": " + e.getMessage(), e);
    }
    return removed;
  }

  private static byte[] quarantinePrefix(String dataset) {
    return name("quarantine/" + dataset + "/");
  }

  @Override
  public void quarantine(String dataset, long epoch, List<Change> changes) {
    byte[] prefix = quarantinePrefix(dataset);
    try (WriteBatch batch = new WriteBatch()) {
      for (Change change : changes) {
        byte[] key = ByteBuffer.allocate(prefix.length + 2 * Long.BYTES).put(prefix).putLong(epoch)
            .putLong(change.sequence()).array();
        batch.put(key, WireMapping.toProto(change).toByteArray());
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new StorageException("cannot quarantine changes of " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public SortedMap<Long, List<Change>> quarantined(String dataset) {
    byte[] prefix = quarantinePrefix(dataset);
    SortedMap<Long, List<Change>> result = new TreeMap<>();
    try (RocksIterator iterator = db.newIterator()) {
      for (iterator.seek(prefix); iterator.isValid(); iterator.next()) {
        byte[] key = iterator.key();
        if (key.length != prefix.length + 2 * Long.BYTES
            || !Arrays.equals(Arrays.copyOf(key, prefix.length), prefix)) {
          break;
        }
        long epoch = ByteBuffer.wrap(key, prefix.length, Long.BYTES).getLong();
        result.computeIfAbsent(epoch, e -> new ArrayList<>()).add(decode(iterator.value()));
      }
    }
    return result;
  }

  // Hints live in the default column family under "hint/<dataset>/<target>\0<id>": target names
  // hold no NUL, so one prefix scan reads them back grouped by target and ordered by id.
  private static byte[] hintPrefix(String dataset) {
    return name("hint/" + dataset + "/");
  }

  private static byte[] hintKey(String dataset, String target, long hintId) {
    byte[] prefix = hintPrefix(dataset);
    byte[] targetName = name(target);
    return ByteBuffer.allocate(prefix.length + targetName.length + 1 + Long.BYTES).put(prefix).put(targetName)
        .put((byte) 0).putLong(hintId).array();
  }

  @Override
  public void saveHint(String dataset, String target, long hintId, Change change) {
    try {
      db.put(writeOptions, hintKey(dataset, target, hintId), WireMapping.toProto(change).toByteArray());
    } catch (RocksDBException e) {
      throw new StorageException("cannot keep a hint of " + dataset + " for " + target + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void removeHint(String dataset, String target, long hintId) {
    try {
      db.delete(writeOptions, hintKey(dataset, target, hintId));
    } catch (RocksDBException e) {
      throw new StorageException("cannot forget a hint of " + dataset + " for " + target + ": " + e.getMessage(), e);
    }
  }

  @Override
  public SortedMap<String, SortedMap<Long, Change>> hints(String dataset) {
    byte[] prefix = hintPrefix(dataset);
    SortedMap<String, SortedMap<Long, Change>> result = new TreeMap<>();
    try (RocksIterator iterator = db.newIterator()) {
      for (iterator.seek(prefix); iterator.isValid(); iterator.next()) {
        byte[] key = iterator.key();
        if (key.length < prefix.length + 1 + Long.BYTES || !Arrays.equals(Arrays.copyOf(key, prefix.length), prefix)) {
          break;
        }
        int separator = key.length - Long.BYTES - 1;
        Invariants.check(key[separator] == 0, "dataset %s: malformed hint key", dataset);
        String target = new String(key, prefix.length, separator - prefix.length, StandardCharsets.UTF_8);
        long hintId = ByteBuffer.wrap(key, separator + 1, Long.BYTES).getLong();
        result.computeIfAbsent(target, t -> new TreeMap<>()).put(hintId, decode(iterator.value()));
      }
    }
    return result;
  }

  @Override
  public void sync() {
    try {
      db.flushWal(true);
    } catch (RocksDBException e) {
      throw new StorageException("cannot sync the write-ahead log: " + e.getMessage(), e);
    }
  }

  @Override
  public long truncatedThrough(String dataset) {
    log(dataset);
    return truncatedThroughs.get(dataset);
  }

  @Override
  public void truncateThrough(String dataset, long sequence) {
    long last = lastSequence(dataset);
    Invariants.check(sequence <= last, "dataset %s: cannot truncate through %d beyond the log's end %d",
        dataset, sequence, last);
    long from = truncatedThroughs.get(dataset);
    if (sequence <= from) {
      return;
    }
    // One range deletion and the new start, together: a crash keeps both or neither.
    try (WriteBatch batch = new WriteBatch()) {
      batch.deleteRange(log(dataset), sequenceKey(from + 1), sequenceKey(sequence + 1));
      batch.put(name("truncated/" + dataset), sequenceKey(sequence));
      db.write(writeOptions, batch);
      truncatedThroughs.put(dataset, sequence);
    } catch (RocksDBException e) {
      throw new StorageException("cannot truncate the log of " + dataset + ": " + e.getMessage(), e);
    }
  }

  /** Places {@code iterator} on the first key after {@code afterKey}, or on the first key when it is null. */
  private static void seekAfter(RocksIterator iterator, Bytes afterKey) {
    if (afterKey == null) {
      iterator.seekToFirst();
      return;
    }
    byte[] after = afterKey.toByteArray();
    iterator.seek(after);
    if (iterator.isValid() && Arrays.equals(iterator.key(), after)) {
      iterator.next();
    }
  }

  @Override
  public List<Change> readState(String dataset, Bytes afterKey, int changesMax, long bytesMax) {
    List<Change> result = new ArrayList<>();
    long bytes = 0;
    try (RocksIterator iterator = db.newIterator(state(dataset))) {
      seekAfter(iterator, afterKey);
      for (; iterator.isValid() && result.size() < changesMax; iterator.next()) {
        Change change = decode(iterator.value());
        if (!result.isEmpty() && bytes + change.sizeBytes() > bytesMax) {
          break;
        }
        bytes += change.sizeBytes();
        result.add(change);
      }
    }
    return result;
  }

  /** Past every key: keys are at most {@code keyBytesMax} (1 KiB by default, far below this) long. */
  private static final byte[] BEYOND_EVERY_KEY = filled(64 * 1024, (byte) 0xFF);

  private static byte[] filled(int length, byte value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, value);
    return bytes;
  }

  @Override
  public void beginSnapshot(String dataset) {
    try (WriteBatch batch = new WriteBatch()) {
      batch.deleteRange(log(dataset), sequenceKey(0), sequenceKey(Long.MAX_VALUE));
      batch.deleteRange(state(dataset), new byte[0], BEYOND_EVERY_KEY);
      batch.put(name("truncated/" + dataset), sequenceKey(0));
      db.write(writeOptions, batch);
      truncatedThroughs.put(dataset, 0L);
      lastSequences.put(dataset, 0L);
      tails.remove(dataset);
    } catch (RocksDBException e) {
      throw new StorageException("cannot start a snapshot of " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void putSnapshotEntries(String dataset, List<Change> entries) {
    Invariants.check(lastSequences.get(dataset) == 0, "dataset %s: snapshot entries arrived outside a"
        + " snapshot", dataset);
    try (WriteBatch batch = new WriteBatch()) {
      for (Change change : entries) {
        batch.put(state(dataset), change.key().toByteArray(), WireMapping.toProto(change).toByteArray());
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new StorageException("cannot write a snapshot of " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void finishSnapshot(String dataset, long sequence) {
    Invariants.check(lastSequences.get(dataset) == 0 && sequence >= 0, "dataset %s: snapshot through %d"
        + " finished outside a snapshot", dataset, sequence);
    try {
      db.put(writeOptions, name("truncated/" + dataset), sequenceKey(sequence));
      truncatedThroughs.put(dataset, sequence);
      lastSequences.put(dataset, sequence);
      tails.remove(dataset);
    } catch (RocksDBException e) {
      throw new StorageException("cannot finish a snapshot of " + dataset + ": " + e.getMessage(), e);
    }
  }

  /** Approximate bytes on disk, for metrics. */
  public long approximateSizeBytes() {
    try {
      return Long.parseLong(db.getProperty("rocksdb.total-sst-files-size"))
          + Long.parseLong(db.getProperty("rocksdb.cur-size-all-mem-tables"));
    } catch (RocksDBException | NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void forEachKey(String dataset, java.util.function.BiConsumer<Bytes, StoredValue> visitor) {
    try (org.rocksdb.RocksIterator iterator = db.newIterator(state(dataset))) {
      for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
        Change change = decode(iterator.value());
        visitor.accept(change.key(), StoredValue.of(change));
      }
      iterator.status();
    } catch (RocksDBException e) {
      throw new StorageException("cannot scan dataset " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void repairKey(String dataset, Bytes key, Optional<StoredValue> state) {
    try {
      if (state.isPresent()) {
        StoredValue value = state.get();
        Change change = new Change(value.tombstone() ? io.meridian.agent.core.storage.ChangeKind.DELETE
            : io.meridian.agent.core.storage.ChangeKind.PUT, key, value.value(), value.version());
        db.put(state(dataset), writeOptions, key.toByteArray(), WireMapping.toProto(change).toByteArray());
      } else {
        db.delete(state(dataset), writeOptions, key.toByteArray());
      }
    } catch (RocksDBException e) {
      throw new StorageException("cannot repair key " + key + " of dataset " + dataset + ": " + e.getMessage(), e);
    }
  }

  private static Change decode(byte[] stored) {
    try {
      return WireMapping.fromProto(io.meridian.agent.api.v1.Change.parseFrom(stored));
    } catch (InvalidProtocolBufferException e) {
      throw new StorageException("corrupt change in the store: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    for (ColumnFamilyHandle handle : handles) {
      handle.close();
    }
    db.close();
    writeOptions.close();
    columnFamilyOptions.close();
    mergedFamilyOptions.close();
    options.close();
  }

  // ---------------------------------------------------------------- multi-primary merged state

  private ColumnFamilyHandle merged(String dataset, boolean create) throws RocksDBException {
    ColumnFamilyHandle handle = mergedFamilies.get(dataset);
    if (handle == null) {
      handle = openedFamilies.get(dataset + MERGED_SUFFIX);
      if (handle == null && create) {
        handle = db.createColumnFamily(new ColumnFamilyDescriptor(name(dataset + MERGED_SUFFIX), mergedFamilyOptions));
        handles.add(handle);
      }
      if (handle != null) {
        mergedFamilies.put(dataset, handle);
      }
    }
    return handle;
  }

  @Override
  public void keepLogOnly(String dataset) {
    logOnly.add(dataset);
  }

  @Override
  public boolean keepsMergedState() {
    return true;
  }

  @Override
  public Optional<byte[]> mergedState(String dataset, Bytes key) {
    try {
      ColumnFamilyHandle family = merged(dataset, false);
      return family == null ? Optional.empty() : Optional.ofNullable(db.get(family, key.sharedArray()));
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the merged state of key " + key + " in dataset " + dataset + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public void writeMergedState(String dataset, Map<Bytes, byte[]> states, byte[] frontier) {
    try (WriteBatch batch = new WriteBatch()) {
      ColumnFamilyHandle family = merged(dataset, true);
      for (Map.Entry<Bytes, byte[]> entry : states.entrySet()) {
        if (entry.getValue().length == 0) {
          batch.delete(family, entry.getKey().sharedArray());
        } else {
          batch.put(family, entry.getKey().sharedArray(), entry.getValue()); // RocksDB copies what it reads.
        }
      }
      batch.put(name("merged-frontier/" + dataset), frontier);
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new StorageException("cannot write the merged state of dataset " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<byte[]> mergedFrontier(String dataset) {
    try {
      return Optional.ofNullable(db.get(name("merged-frontier/" + dataset)));
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the merged-state frontier of " + dataset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<Bytes> mergedKeys(String dataset, Bytes afterKey, int keysMax) {
    return scanMerged(dataset, afterKey, keysMax, iterator -> Bytes.wrapOwned(iterator.key()),
        "cannot list the merged keys of dataset ");
  }

  @Override
  public List<Map.Entry<Bytes, byte[]>> mergedEntries(String dataset, Bytes afterKey, int keysMax) {
    return scanMerged(dataset, afterKey, keysMax,
        iterator -> Map.entry(Bytes.wrapOwned(iterator.key()), iterator.value()),
        "cannot walk the merged state of dataset ");
  }

  // Up to keysMax items of the dataset's merged states in key order, after afterKey (null: from
  // the first), each made from the iterator at its entry.
  private <T> List<T> scanMerged(String dataset, Bytes afterKey, int keysMax,
      java.util.function.Function<RocksIterator, T> item, String failure) {
    List<T> result = new ArrayList<>();
    try {
      ColumnFamilyHandle family = merged(dataset, false);
      if (family == null) {
        return result;
      }
      try (RocksIterator iterator = db.newIterator(family)) {
        seekAfter(iterator, afterKey);
        for (; iterator.isValid() && result.size() < keysMax; iterator.next()) {
          result.add(item.apply(iterator));
        }
        iterator.status();
      }
    } catch (RocksDBException e) {
      throw new StorageException(failure + dataset + ": " + e.getMessage(), e);
    }
    return result;
  }
}

package io.meridian.agent.core.storage;

/** What a change does to its key. Conflict-free data type operations join this list later. */
public enum ChangeKind {
  /** Set the key's value. */
  PUT,
  /** Remove the key, leaving a tombstone that carries the version. */
  DELETE
}

/**
 * The replication core: pure, deterministic state machines and the small value types they share.
 * Nothing here performs network or file I/O, starts a thread or reads a clock; time arrives as
 * arguments and effects leave as return values, so a seeded simulation can drive it.
 */
package io.meridian.agent.core;

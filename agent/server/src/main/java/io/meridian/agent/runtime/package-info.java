/**
 * The driver of the replication core: it serialises every input, tick and status read onto one
 * logical thread, carries out each output in the documented order (sync the store, send, answer,
 * report, disconnect) and hands results to callbacks and event listeners.
 */
package io.meridian.agent.runtime;

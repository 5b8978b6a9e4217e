/**
 * Recorded client histories (what {@code meridian load --history} writes) and the
 * linearizability checker run on them (ADR 0015).
 */
package io.meridian.app.history;

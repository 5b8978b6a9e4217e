/** Implementations of the core's storage port on real storage engines. */
package io.meridian.agent.storage;

/**
 * Benchmarks that ship with the agent so the command line can run them ({@code meridian bench}):
 * each drives the real replication core in one process and prints figures.
 */
package io.meridian.agent.bench;

/**
 * Hybrid logical clocks (Kulkarni et al., 2014): timestamps that stay close to wall-clock time,
 * never run backwards, and respect causality across regions. The clock is read, never owned:
 * wall-clock milliseconds are passed in.
 */
package io.meridian.agent.core.clock;

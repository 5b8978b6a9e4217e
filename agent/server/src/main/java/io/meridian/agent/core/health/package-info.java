/**
 * Failure detection, pure like the rest of the core: a phi-accrual detector per peer fed with
 * message arrival times, and each observer's view of its peers' health (healthy, suspect, down).
 * Time comes in as arguments; nothing here reads a clock.
 */
package io.meridian.agent.core.health;

package io.meridian.agent.core.health;

/** How one region sees another. */
public enum RegionHealth {
  /** Messages arrive as usual. */
  HEALTHY,
  /** Messages are late enough that the region may be failing (phi above the suspect threshold). */
  SUSPECT,
  /** Messages are so late that the region is taken for down (phi above the down threshold). */
  DOWN
}

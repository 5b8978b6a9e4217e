/**
 * The Meridian domain: a {@link io.meridian.model.Topology} of regions, links, policies and
 * datasets, as immutable values. Pure Java: no files, no network, no UI.
 */
package io.meridian.model;

/**
 * Validation: the rules a topology must satisfy beyond the shape of each element (references that
 * resolve, quorum arithmetic, physics, residency, reachability, security), each with a stable code,
 * a severity and a suggested fix. {@link io.meridian.model.validation.TopologyValidator} runs them;
 * {@link io.meridian.model.validation.RuleCatalogue} lists them for the command line and the docs.
 */
package io.meridian.model.validation;

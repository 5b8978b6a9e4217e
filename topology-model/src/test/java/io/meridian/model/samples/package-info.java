/**
 * The samples in the repository's {@code samples/} folder: a test that loads each one and checks
 * it shows what it claims, and the generator of the large global sample.
 */
package io.meridian.model.samples;

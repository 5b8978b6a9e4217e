/**
 * The built-in catalogue of well-known public cloud regions (AWS, Azure, Google Cloud and
 * Alibaba Cloud) with their coordinates and jurisdictions, so a designer can add
 * {@code eu-west-1} without typing coordinates, and a default link between two regions
 * estimated from the great-circle distance.
 */
package io.meridian.model.catalogue;

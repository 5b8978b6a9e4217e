/**
 * Diagnostics: problems with a stable code, a severity, a message, a fix and the file position
 * of the node they concern. Shared by the file reader and the validator.
 */
package io.meridian.model.diagnostics;

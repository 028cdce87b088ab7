// SPDX-License-Identifier: Apache-2.0
/**
 * Programs a management application would copy from. They use only the public API
 * ({@code org.virtbackup.api}) and, for backups kept in a directory, the repository's
 * ({@code org.virtbackup.repository}); the driver is found by the URI's scheme.
 *
 * <p>Layer: top; depends on {@code api} and {@code repository} (and, at run time, a driver).
 */
package org.virtbackup.examples;

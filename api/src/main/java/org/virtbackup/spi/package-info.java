// SPDX-License-Identifier: Apache-2.0
/**
 * The driver SPI: implement {@link org.virtbackup.spi.ConnectionDriver} and list it in
 * {@code META-INF/services/org.virtbackup.spi.ConnectionDriver}.
 *
 * <p>Layer: top, beside {@code api}. Depends only on {@code org.virtbackup.api}.
 */
package org.virtbackup.spi;

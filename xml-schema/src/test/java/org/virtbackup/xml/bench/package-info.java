// SPDX-License-Identifier: Apache-2.0
/**
 * JMH benchmarks of the XML layer. Layer: test only; depends on the {@code org.virtbackup.xml} facade.
 */
package org.virtbackup.xml.bench;

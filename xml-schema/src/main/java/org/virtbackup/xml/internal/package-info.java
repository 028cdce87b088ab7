// SPDX-License-Identifier: Apache-2.0
/**
 * Machinery behind the {@code org.virtbackup.xml} facade: the hardened SAX pipeline (size, depth and DTD
 * limits), the Jing schema cache, the libvirt-style writer, verbatim subtree capture and the JAXB bindings of
 * {@code <domainbackup>} and {@code <domaincheckpoint>} with their mapping to the model records.
 *
 * <p>Layer: xml internal. Depends on {@code org.virtbackup.api} (errors), {@code org.virtbackup.xml.model},
 * JAXB and Jing. Not part of the API: nothing outside {@code org.virtbackup.xml} may use it.
 */
package org.virtbackup.xml.internal;

// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import org.virtbackup.api.VirtBackupException;
import org.xml.sax.SAXException;

/**
 * Carries a {@link VirtBackupException} through a SAX pipeline, whose callbacks may only throw
 * {@link SAXException}; {@link SecureXml#parse} unwraps it.
 */
final class XmlFailure extends SAXException {
    private static final long serialVersionUID = 1L;

    private final transient VirtBackupException error;

    XmlFailure(VirtBackupException error) {
        super(error.getMessage());
        this.error = error;
    }

    VirtBackupException error() {
        return error;
    }
}

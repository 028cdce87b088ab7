// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/** Short factories for the errors the XML layer raises, with libvirt's codes and domains. */
public final class Errors {
    private Errors() {
    }

    /** {@code VIR_ERR_XML_ERROR} from the XML domain: malformed or refused document. */
    public static VirtBackupException xml(String message) {
        return new VirtBackupException(ErrorCode.XML_ERROR, ErrorDomain.XML, message);
    }

    /** {@code VIR_ERR_XML_ERROR} raised by a definition parser (libvirt reports these from the conf code). */
    public static VirtBackupException xml(ErrorDomain domain, String message) {
        return new VirtBackupException(ErrorCode.XML_ERROR, domain, message);
    }

    /** {@code VIR_ERR_CONFIG_UNSUPPORTED}. */
    public static VirtBackupException unsupported(ErrorDomain domain, String message) {
        return new VirtBackupException(ErrorCode.CONFIG_UNSUPPORTED, domain, message);
    }

    /** Any other code. */
    public static VirtBackupException of(ErrorCode code, ErrorDomain domain, String message) {
        return new VirtBackupException(code, domain, message);
    }
}

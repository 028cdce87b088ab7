// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import java.util.Objects;
import java.util.regex.Pattern;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The names libvirt accepts for checkpoints: its schema's {@code checkpointName} pattern
 * {@code [a-zA-Z0-9_\-][a-zA-Z0-9_\-.]*}. The name becomes a file name ({@code <name>.xml}), hence no slash,
 * no leading dot and no newline (libvirt-backup-reference.md §2.1).
 *
 * <p>In documents a bad name is a schema violation (XML_INVALID_SCHEMA), as in libvirt; names given directly
 * (the CLI's {@code checkpoint-create-as NAME}, a lookup) are checked here and refused with INVALID_ARG.
 *
 * @since 0.1
 */
public final class CheckpointNames {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_\\-][a-zA-Z0-9_\\-.]*");

    private CheckpointNames() {
    }

    /** True when libvirt would accept {@code name}. */
    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Returns {@code name} when valid.
     *
     * @throws VirtBackupException INVALID_ARG naming the rule that {@code name} breaks
     * @throws NullPointerException if {@code name} is null
     */
    public static String validate(String name) {
        Objects.requireNonNull(name, "name");
        if (isValid(name)) {
            return name;
        }
        String why;
        if (name.isEmpty()) {
            why = "it is empty";
        } else if (name.indexOf('/') >= 0) {
            why = "it contains '/'";
        } else if (name.startsWith(".")) {
            why = "it starts with '.'";
        } else if (name.indexOf('\n') >= 0) {
            why = "it contains a newline";
        } else {
            why = "only letters, digits, '_', '-' and (not first) '.' are allowed";
        }
        throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.DOMAIN_CHECKPOINT,
                "invalid checkpoint name '" + name + "': " + why);
    }
}

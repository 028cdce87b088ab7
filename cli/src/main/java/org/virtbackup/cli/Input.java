// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/** Reads a verb's input document from a file, or from standard input when the name is {@code -}. */
final class Input {

    /** Larger documents are refused before parsing; the XML layer has its own, equal bound. */
    private static final int MAX_BYTES = 1 << 20;

    private Input() {
    }

    static String read(String name) {
        try {
            byte[] bytes = "-".equals(name) ? readBounded(System.in) : readFile(Path.of(name));
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.READ_FAILED, ErrorDomain.NONE,
                    "cannot read '" + name + "': " + describe(e), e);
        }
    }

    private static byte[] readFile(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return readBounded(in);
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
            throw new IOException("document is larger than " + MAX_BYTES + " bytes");
        }
        return bytes;
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage();
    }
}

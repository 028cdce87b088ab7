// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Golden-file support, like libvirt's {@code virTestCompareToFile}: compares byte for byte, and rewrites the
 * expected file instead when {@code -Dvirtbackup.test.regenerate=true} (libvirt's VIR_TEST_REGENERATE_OUTPUT).
 * Paths are relative to the module directory, where surefire runs.
 */
final class Golden {
    static final Path RESOURCES = Path.of("src", "test", "resources");
    static final boolean REGENERATE = Boolean.getBoolean("virtbackup.test.regenerate");

    private Golden() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void check(Path expectedFile, String actual) {
        if (REGENERATE) {
            try {
                Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        if (!Files.exists(expectedFile)) {
            throw new AssertionError("missing expected file " + expectedFile
                    + " (run with -Dvirtbackup.test.regenerate=true to create it); actual output:\n" + actual);
        }
        assertEquals(read(expectedFile), actual, "output differs from " + expectedFile);
    }

    /** The *.xml file names of {@code dir}, sorted. */
    static List<String> xmlFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".xml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

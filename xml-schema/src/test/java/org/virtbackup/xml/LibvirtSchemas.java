// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml;

import static org.junit.jupiter.api.Assertions.fail;

import com.thaiopensource.relaxng.jaxp.XMLSyntaxSchemaFactory;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import org.junit.jupiter.api.Assumptions;
import org.xml.sax.SAXException;

/**
 * libvirt's installed RELAX NG schemas (Debian {@code libvirt0}: {@code /usr/share/libvirt/schemas}), compiled
 * with Jing. Missing schemas skip the calling test, unless {@code -Dvirtbackup.test.requireQemu=true} (set by
 * CI through the root pom) turns the skip into a failure.
 */
final class LibvirtSchemas {
    static final Path DIR = Path.of("/usr/share/libvirt/schemas");
    private static final Map<String, Schema> CACHE = new ConcurrentHashMap<>();

    private LibvirtSchemas() {
    }

    /** Skips (or fails, when required) unless libvirt's schemas are installed. */
    static void assumeInstalled() {
        if (Files.isRegularFile(DIR.resolve("domainbackup.rng"))) {
            return;
        }
        String why = "libvirt's schemas are not installed in " + DIR + " (apt-get install libvirt0)";
        if (Boolean.getBoolean("virtbackup.test.requireQemu")) {
            fail(why + " and virtbackup.test.requireQemu=true");
        }
        Assumptions.abort(why);
    }

    /** True when the installed backup schema knows transport='fd' (libvirt 11.3.0 or newer). */
    static boolean isNewerThan9() {
        try {
            return Files.readString(DIR.resolve("domainbackup.rng")).contains("fdgroup");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Null when {@code xml} is valid against libvirt's {@code file}, else Jing's first complaint. */
    static String violation(String file, String xml) {
        Schema schema = CACHE.computeIfAbsent(file, f -> {
            try {
                return new XMLSyntaxSchemaFactory().newSchema(DIR.resolve(f).toFile());
            } catch (SAXException e) {
                throw new IllegalStateException("cannot compile libvirt's " + f, e);
            }
        });
        try {
            schema.newValidator().validate(new StreamSource(new StringReader(xml)));
            return null;
        } catch (SAXException e) {
            return e.getMessage();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

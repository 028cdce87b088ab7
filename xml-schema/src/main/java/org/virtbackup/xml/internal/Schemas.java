// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import com.thaiopensource.relaxng.jaxp.XMLSyntaxSchemaFactory;
import java.net.URL;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.ValidatorHandler;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * virtbackup's own RELAX NG schemas ({@code org/virtbackup/xml/schema/*.rng}), compiled once with Jing.
 *
 * <p>Jing ships no {@code javax.xml.validation.SchemaFactory} service entry, so
 * {@code SchemaFactory.newInstance(RELAXNG_NS_URI)} fails; its factory is instantiated directly
 * (java-dependencies.md §5). A compiled {@link Schema} is thread-safe; validator handlers are per parse.
 */
public final class Schemas {
    /** Schema file for backup documents. */
    public static final String BACKUP = "backup.rng";
    /** Schema file for checkpoint documents. */
    public static final String CHECKPOINT = "checkpoint.rng";
    /** Schema file for the domain subset. */
    public static final String DOMAIN = "domain.rng";

    private static final Map<String, Schema> CACHE = new ConcurrentHashMap<>();

    private Schemas() {
    }

    /** The compiled schema {@code file}. */
    public static Schema get(String file) {
        return CACHE.computeIfAbsent(file, Schemas::compile);
    }

    /**
     * A fresh validating handler for {@code file} whose first violation stops the parse with
     * {@code XML_INVALID_SCHEMA}, naming the line and what Jing found wrong.
     */
    public static ValidatorHandler newValidatorHandler(String file) {
        ValidatorHandler handler = get(file).newValidatorHandler();
        handler.setErrorHandler(new ErrorHandler() {
            @Override
            public void warning(SAXParseException e) {
                // RELAX NG validation raises no warnings that make a document invalid
            }

            @Override
            public void error(SAXParseException e) throws SAXException {
                throw violation(file, e);
            }

            @Override
            public void fatalError(SAXParseException e) throws SAXException {
                throw violation(file, e);
            }
        });
        return handler;
    }

    private static XmlFailure violation(String file, SAXParseException e) {
        // libvirt: "Unable to validate doc against %s" + libxml2's detail (virXMLValidatorValidate)
        return new XmlFailure(new VirtBackupException(ErrorCode.XML_INVALID_SCHEMA, ErrorDomain.XML,
                "unable to validate doc against schema '" + file + "': line " + e.getLineNumber() + ", column "
                        + e.getColumnNumber() + ": " + e.getMessage()));
    }

    /** Every schema file; they include each other, so they must sit side by side. */
    private static final String[] FILES = {BACKUP, CHECKPOINT, DOMAIN, "common.rng"};

    private static Schema compile(String file) {
        try {
            return new XMLSyntaxSchemaFactory().newSchema(new StreamSource(schemaDir().resolve(file).toUri().toString()));
        } catch (SAXException e) {
            throw new IllegalStateException("cannot compile schema " + file + ": " + e.getMessage(), e);
        }
    }

    private static volatile java.nio.file.Path dir;

    /**
     * A directory holding the schema files. Jing resolves {@code <include href='common.rng'/>} with
     * {@code java.net.URI}, which cannot resolve against an opaque {@code jar:} URL (it then falls back to the
     * working directory); inside a jar, the files are therefore copied once to a private temporary directory.
     */
    private static synchronized java.nio.file.Path schemaDir() {
        if (dir != null) {
            return dir;
        }
        URL url = Objects.requireNonNull(Schemas.class.getResource("/org/virtbackup/xml/schema/" + BACKUP),
                "schema resources missing");
        try {
            if ("file".equals(url.getProtocol())) {
                dir = java.nio.file.Path.of(url.toURI()).getParent();
                return dir;
            }
            java.nio.file.Path tmp = java.nio.file.Files.createTempDirectory("virtbackup-schemas");
            tmp.toFile().deleteOnExit();
            for (String f : FILES) {
                java.nio.file.Path target = tmp.resolve(f);
                try (var in = Schemas.class.getResourceAsStream("/org/virtbackup/xml/schema/" + f)) {
                    java.nio.file.Files.copy(Objects.requireNonNull(in, f), target);
                }
                target.toFile().deleteOnExit();
            }
            dir = tmp;
            return dir;
        } catch (java.io.IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot prepare schema files: " + e.getMessage(), e);
        }
    }
}

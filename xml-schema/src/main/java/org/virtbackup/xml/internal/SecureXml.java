// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.io.IOException;
import java.io.StringReader;
import java.util.Objects;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.virtbackup.api.VirtBackupException;
import org.xml.sax.ContentHandler;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;

/**
 * The only way the XML layer reads a document: a SAX parser that refuses DTDs (and with them every entity,
 * internal or external, so billion-laughs and XXE documents fail before anything is expanded or fetched), does
 * no XInclude, and never resolves an external resource; input is bounded in size and nesting ({@link Limits}).
 */
public final class SecureXml {
    private static final String DISALLOW_DOCTYPE = "http://apache.org/xml/features/disallow-doctype-decl";
    private static final SAXParserFactory FACTORY = newFactory();

    private SecureXml() {
    }

    /**
     * Parses {@code xml} into {@code handler}.
     *
     * @throws VirtBackupException XML_DETAIL from {@link Limits#parserDomain} when the document is not well-formed
     *     (libvirt's code for libxml2's parse errors); XML_ERROR when it is too large, has a DOCTYPE, the wrong root
     *     or nests too deep; whatever a handler raised (for example XML_INVALID_SCHEMA from a validator)
     */
    public static void parse(String xml, Limits limits, ContentHandler handler) {
        Objects.requireNonNull(xml, "xml");
        if (xml.length() > Limits.MAX_CHARS) {
            throw Errors.xml("XML document is too large: " + xml.length() + " characters, the limit is "
                    + Limits.MAX_CHARS);
        }
        XMLReader reader = newReader();
        reader.setContentHandler(new LimitingHandler(limits, handler));
        try {
            reader.parse(new InputSource(new StringReader(xml)));
        } catch (XmlFailure e) {
            throw e.error();
        } catch (SAXParseException e) {
            throw malformed(e, limits);
        } catch (SAXException | IOException e) {
            throw new VirtBackupException(org.virtbackup.api.ErrorCode.XML_ERROR,
                    org.virtbackup.api.ErrorDomain.XML, "cannot parse XML: " + e.getMessage(), e);
        }
    }

    private static VirtBackupException malformed(SAXParseException e, Limits limits) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("DOCTYPE")) {
            return Errors.xml("refusing XML with a DOCTYPE declaration at line " + e.getLineNumber()
                    + ": DTDs and entity declarations are not allowed");
        }
        return Errors.of(org.virtbackup.api.ErrorCode.XML_DETAIL, limits.parserDomain(), "malformed XML at line "
                + e.getLineNumber() + ", column " + e.getColumnNumber() + ": " + message);
    }

    private static XMLReader newReader() {
        try {
            XMLReader reader;
            synchronized (FACTORY) {
                reader = FACTORY.newSAXParser().getXMLReader();
            }
            // Entities cannot be declared without a DOCTYPE; refusing resolution is a second lock.
            reader.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entity '" + systemId + "' refused");
            });
            reader.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {
                    // warnings (e.g. about namespaces) do not make a document unusable
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return reader;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("cannot create the hardened SAX parser", e);
        }
    }

    private static SAXParserFactory newFactory() {
        SAXParserFactory f = SAXParserFactory.newDefaultInstance();
        f.setNamespaceAware(true);
        f.setValidating(false);
        f.setXIncludeAware(false);
        try {
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature(DISALLOW_DOCTYPE, true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("the JDK's SAX parser lacks a hardening feature", e);
        }
        return f;
    }
}

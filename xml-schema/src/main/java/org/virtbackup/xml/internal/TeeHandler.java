// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.List;
import org.xml.sax.Attributes;
import org.xml.sax.ContentHandler;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;

/**
 * Sends one SAX stream to several handlers in order, so validation, JAXB and subtree capture share one parse.
 * The first handler to throw stops the stream: put the schema validator first so that its verdict wins.
 */
public final class TeeHandler implements ContentHandler {
    private final List<ContentHandler> targets;

    public TeeHandler(List<ContentHandler> targets) {
        this.targets = List.copyOf(targets);
    }

    @Override
    public void setDocumentLocator(Locator locator) {
        for (ContentHandler t : targets) {
            t.setDocumentLocator(locator);
        }
    }

    @Override
    public void startDocument() throws SAXException {
        for (ContentHandler t : targets) {
            t.startDocument();
        }
    }

    @Override
    public void endDocument() throws SAXException {
        for (ContentHandler t : targets) {
            t.endDocument();
        }
    }

    @Override
    public void startPrefixMapping(String prefix, String uri) throws SAXException {
        for (ContentHandler t : targets) {
            t.startPrefixMapping(prefix, uri);
        }
    }

    @Override
    public void endPrefixMapping(String prefix) throws SAXException {
        for (ContentHandler t : targets) {
            t.endPrefixMapping(prefix);
        }
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts) throws SAXException {
        for (ContentHandler t : targets) {
            t.startElement(uri, localName, qName, atts);
        }
    }

    @Override
    public void endElement(String uri, String localName, String qName) throws SAXException {
        for (ContentHandler t : targets) {
            t.endElement(uri, localName, qName);
        }
    }

    @Override
    public void characters(char[] ch, int start, int length) throws SAXException {
        for (ContentHandler t : targets) {
            t.characters(ch, start, length);
        }
    }

    @Override
    public void ignorableWhitespace(char[] ch, int start, int length) throws SAXException {
        for (ContentHandler t : targets) {
            t.ignorableWhitespace(ch, start, length);
        }
    }

    @Override
    public void processingInstruction(String target, String data) throws SAXException {
        for (ContentHandler t : targets) {
            t.processingInstruction(target, data);
        }
    }

    @Override
    public void skippedEntity(String name) throws SAXException {
        for (ContentHandler t : targets) {
            t.skippedEntity(name);
        }
    }
}

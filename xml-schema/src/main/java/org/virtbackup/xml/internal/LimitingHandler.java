// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import org.xml.sax.Attributes;
import org.xml.sax.ContentHandler;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.XMLFilterImpl;

/**
 * First stage of every parse: refuses a wrong root element (as libvirt's {@code virXMLParse} does before it
 * validates) and nesting deeper than the {@link Limits}.
 */
final class LimitingHandler extends XMLFilterImpl {
    private final Limits limits;
    private Locator locator;
    private int depth;
    /** Depth at which the deep child started, or 0 when outside it. */
    private int deepStart;

    LimitingHandler(Limits limits, ContentHandler next) {
        this.limits = limits;
        setContentHandler(next);
    }

    @Override
    public void setDocumentLocator(Locator newLocator) {
        this.locator = newLocator;
        super.setDocumentLocator(newLocator);
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts) throws SAXException {
        depth++;
        if (depth == 1 && !localName.equals(limits.root())) {
            // libvirt: "expecting root element of '%s', not '%s'" (virXMLParseHelper), VIR_ERR_XML_ERROR
            throw new XmlFailure(Errors.xml("expecting root element of '" + limits.root() + "', not '"
                    + qName + "'"));
        }
        if (depth == 2 && limits.deepChild().filter(localName::equals).isPresent()) {
            deepStart = depth;
        }
        int max = deepStart > 0 ? limits.maxDeepDepth() : limits.maxDepth();
        if (depth > max) {
            throw new XmlFailure(Errors.xml("XML document nests elements deeper than " + max
                    + " levels (element '" + qName + "' at line " + line() + ")"));
        }
        super.startElement(uri, localName, qName, atts);
    }

    @Override
    public void endElement(String uri, String localName, String qName) throws SAXException {
        if (depth == deepStart) {
            deepStart = 0;
        }
        depth--;
        super.endElement(uri, localName, qName);
    }

    private int line() {
        return locator == null ? -1 : locator.getLineNumber();
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.Map;
import org.virtbackup.xml.model.XmlNode;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Sits between a JAXB marshaller and a {@link LibvirtStyleWriter} and appends verbatim subtrees as the last
 * children of chosen elements (keyed by indexed path, see {@link PathTracker}): the embedded {@code <domain>}
 * of a checkpoint and the {@code <privateData>} of the internal backup form.
 */
public final class InjectingHandler extends DefaultHandler {
    private final LibvirtStyleWriter writer;
    private final Map<String, XmlNode> injections;
    private final PathTracker path = new PathTracker();

    public InjectingHandler(LibvirtStyleWriter writer, Map<String, XmlNode> injections) {
        this.writer = writer;
        this.injections = Map.copyOf(injections);
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts) {
        path.push(localName);
        writer.startElement(uri, localName, qName, atts);
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
        XmlNode extra = injections.get(path.indexed());
        if (extra != null) {
            writer.node(extra);
        }
        path.pop();
        writer.endElement(uri, localName, qName);
    }

    @Override
    public void characters(char[] ch, int start, int length) {
        writer.characters(ch, start, length);
    }
}

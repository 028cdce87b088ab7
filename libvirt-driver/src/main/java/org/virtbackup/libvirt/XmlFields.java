// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.libvirt;

import java.io.StringReader;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * The few fields this driver reads from libvirt's XML: a backup's {@code mode}, a checkpoint's {@code name} and
 * {@code creationTime}. libvirt parses and validates the documents itself; a document we cannot read here yields
 * empty, and libvirt's own error is what the caller sees.
 */
final class XmlFields {

    private XmlFields() {
    }

    /** The root element's attribute, if the document parses and has it. */
    static Optional<String> rootAttribute(String xml, String attribute) {
        return root(xml).map(r -> r.getAttribute(attribute)).filter(v -> !v.isEmpty());
    }

    /** The text of a direct child of the root, trimmed, if present and non-empty. */
    static Optional<String> childText(String xml, String child) {
        Optional<Element> root = root(xml);
        if (root.isEmpty()) {
            return Optional.empty();
        }
        for (Node n = root.get().getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element && n.getNodeName().equals(child)) {
                String text = n.getTextContent().trim();
                return text.isEmpty() ? Optional.empty() : Optional.of(text);
            }
        }
        return Optional.empty();
    }

    private static Optional<Element> root(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            return Optional.of(f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)))
                    .getDocumentElement());
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}

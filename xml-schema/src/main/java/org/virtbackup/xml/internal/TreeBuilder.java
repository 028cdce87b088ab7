// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.virtbackup.xml.model.XmlAttribute;
import org.virtbackup.xml.model.XmlNode;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Builds an {@link XmlNode} from SAX events, keeping attribute order (a DOM would not: the JDK's DOM keeps
 * attributes sorted by name, and libvirt's order must survive a round trip). Namespace declarations reported
 * through {@code startPrefixMapping} become {@code xmlns} attributes after the element's own attributes, which
 * is where libvirt prints them.
 */
public final class TreeBuilder extends DefaultHandler {
    private final Deque<Frame> stack = new ArrayDeque<>();
    private final List<XmlAttribute> pendingNamespaces = new ArrayList<>();
    private XmlNode root;

    private static final class Frame {
        final String name;
        final List<XmlAttribute> attributes;
        final List<XmlNode> children = new ArrayList<>();
        final StringBuilder text = new StringBuilder();

        Frame(String name, List<XmlAttribute> attributes) {
            this.name = name;
            this.attributes = attributes;
        }
    }

    /** The finished element, once its end tag was seen. */
    public Optional<XmlNode> root() {
        return Optional.ofNullable(root);
    }

    @Override
    public void startPrefixMapping(String prefix, String uri) {
        if ("xml".equals(prefix)) {
            return;
        }
        pendingNamespaces.add(new XmlAttribute(prefix.isEmpty() ? "xmlns" : "xmlns:" + prefix, uri));
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts) {
        List<XmlAttribute> attributes = new ArrayList<>(atts.getLength() + pendingNamespaces.size());
        for (int i = 0; i < atts.getLength(); i++) {
            attributes.add(new XmlAttribute(atts.getQName(i), atts.getValue(i)));
        }
        for (XmlAttribute ns : pendingNamespaces) {
            if (attributes.stream().noneMatch(a -> a.name().equals(ns.name()))) {
                attributes.add(ns);
            }
        }
        pendingNamespaces.clear();
        stack.push(new Frame(qName, attributes));
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
        Frame f = stack.pop();
        // text is kept only for leaves: whitespace between child elements is layout, re-created on output;
        // so is a blank leaf body spanning lines (an empty element written open/close)
        String text = f.children.isEmpty() && !isLayout(f.text) ? f.text.toString() : "";
        XmlNode node = new XmlNode(f.name, f.attributes, f.children, text);
        if (stack.isEmpty()) {
            root = node;
        } else {
            stack.peek().children.add(node);
        }
    }

    private static boolean isLayout(CharSequence text) {
        return text.chars().allMatch(Character::isWhitespace) && text.chars().anyMatch(c -> c == '\n');
    }

    @Override
    public void characters(char[] ch, int start, int length) {
        if (!stack.isEmpty()) {
            stack.peek().text.append(ch, start, length);
        }
    }
}

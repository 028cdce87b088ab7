// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import org.virtbackup.xml.model.XmlAttribute;
import org.virtbackup.xml.model.XmlNode;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * A SAX sink that prints XML the way libvirt's {@code virBuffer}/{@code virXMLFormatElement} do: two spaces per
 * level, {@code name='value'} attributes, {@code <x/>} for an element without content, text inline, escaping
 * {@code < > & ' "} everywhere ({@code virBufferEscapeString}), no XML declaration and a final newline
 * (java-dependencies.md §4.1). JAXB marshals into it; verbatim subtrees are added with {@link #node}.
 */
public final class LibvirtStyleWriter extends DefaultHandler {
    private final StringBuilder out = new StringBuilder(1024);
    private final Deque<Frame> open = new ArrayDeque<>();
    private final int baseDepth;

    private static final class Frame {
        final String name;
        boolean hasChildren;
        final StringBuilder text = new StringBuilder();

        Frame(String name) {
            this.name = name;
        }
    }

    /** A writer whose first element is indented {@code baseDepth} levels. */
    public LibvirtStyleWriter(int baseDepth) {
        this.baseDepth = baseDepth;
    }

    /** A writer starting at the left margin. */
    public LibvirtStyleWriter() {
        this(0);
    }

    /** What was written so far. */
    public String result() {
        return out.toString();
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts) {
        start(qName.isEmpty() ? localName : qName);
        for (int i = 0; i < atts.getLength(); i++) {
            String name = atts.getQName(i).isEmpty() ? atts.getLocalName(i) : atts.getQName(i);
            attribute(name, atts.getValue(i));
        }
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
        end();
    }

    @Override
    public void characters(char[] ch, int start, int length) {
        if (!open.isEmpty()) {
            open.peek().text.append(ch, start, length);
        }
    }

    /** Writes a verbatim subtree at the current nesting level. */
    public void node(XmlNode node) {
        start(node.name());
        for (XmlAttribute a : node.attributes()) {
            attribute(a.name(), a.value());
        }
        for (XmlNode child : node.children()) {
            node(child);
        }
        open.peek().text.append(node.text());
        end();
    }

    private void start(String name) {
        Frame parent = open.peek();
        if (parent != null && !parent.hasChildren) {
            parent.hasChildren = true;
            out.append(">\n");
        }
        indent(open.size());
        out.append('<').append(name);
        open.push(new Frame(name));
    }

    private void attribute(String name, String value) {
        out.append(' ').append(name).append("='");
        escape(value, out);
        out.append('\'');
    }

    private void end() {
        Frame f = open.pop();
        if (f.hasChildren) {
            indent(open.size());
            out.append("</").append(f.name).append(">\n");
        } else if (f.text.length() == 0) {
            out.append("/>\n");
        } else {
            out.append('>');
            escape(f.text, out);
            out.append("</").append(f.name).append(">\n");
        }
    }

    private void indent(int level) {
        for (int i = 0; i < baseDepth + level; i++) {
            out.append("  ");
        }
    }

    /**
     * libvirt's {@code virBufferEscapeString}: the five XML specials become entities and control characters
     * other than tab, newline and carriage return are dropped (they cannot appear in XML 1.0).
     */
    public static void escape(CharSequence s, StringBuilder to) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> to.append("&lt;");
                case '>' -> to.append("&gt;");
                case '&' -> to.append("&amp;");
                case '"' -> to.append("&quot;");
                case '\'' -> to.append("&apos;");
                case '\t', '\n', '\r' -> to.append(c);
                default -> {
                    if (c >= 0x20) {
                        to.append(c);
                    }
                }
            }
        }
    }
}

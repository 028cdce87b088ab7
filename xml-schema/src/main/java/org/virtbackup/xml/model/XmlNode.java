// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable XML element kept verbatim: the embedded {@code <domain>} of a checkpoint and the
 * {@code <privateData>} of the internal backup form. Attribute order is the document's, so the subtree can be
 * re-emitted as libvirt printed it.
 *
 * <p>Only leaf elements carry text; whitespace between child elements is not kept (it is re-created from the
 * nesting when formatted). Comments and processing instructions are dropped.
 *
 * @param name qualified element name
 * @param attributes attributes in document order, namespace declarations included
 * @param children child elements in document order
 * @param text text content of a leaf element, empty when none or when the element has children
 */
public record XmlNode(String name, List<XmlAttribute> attributes, List<XmlNode> children, String text) {
    public XmlNode {
        Objects.requireNonNull(name, "name");
        attributes = List.copyOf(attributes);
        children = List.copyOf(children);
        Objects.requireNonNull(text, "text");
        if (!children.isEmpty() && !text.isEmpty()) {
            throw new IllegalArgumentException("element '" + name + "' has both text and child elements");
        }
    }

    /** The value of the attribute called {@code attributeName}, if present. */
    public Optional<String> attribute(String attributeName) {
        for (XmlAttribute a : attributes) {
            if (a.name().equals(attributeName)) {
                return Optional.of(a.value());
            }
        }
        return Optional.empty();
    }

    /** The first child element called {@code childName}, if any. */
    public Optional<XmlNode> child(String childName) {
        for (XmlNode c : children) {
            if (c.name().equals(childName)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** All child elements called {@code childName}, in document order. */
    public List<XmlNode> childrenNamed(String childName) {
        return children.stream().filter(c -> c.name().equals(childName)).toList();
    }

    /** A copy with the attribute called {@code attributeName} removed (all occurrences). */
    public XmlNode withoutAttribute(String attributeName) {
        return new XmlNode(name, attributes.stream().filter(a -> !a.name().equals(attributeName)).toList(),
                children, text);
    }

    /** A copy with other children. */
    public XmlNode withChildren(List<XmlNode> newChildren) {
        return new XmlNode(name, attributes, newChildren, text);
    }
}

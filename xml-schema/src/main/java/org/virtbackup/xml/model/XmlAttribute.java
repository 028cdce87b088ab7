// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.model;

import java.util.Objects;

/**
 * One attribute of an {@link XmlNode}, by qualified name (for example {@code type} or {@code xmlns:qemu}).
 *
 * @param name qualified attribute name
 * @param value attribute value, unescaped
 */
public record XmlAttribute(String name, String value) {
    public XmlAttribute {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}

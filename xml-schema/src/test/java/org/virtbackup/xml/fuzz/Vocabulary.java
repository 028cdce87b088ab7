// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Element names, attribute names and the values seen for them in the golden files, so that mutants stay
 * close enough to valid documents to reach the readers and aligners behind the schema.
 */
final class Vocabulary {
    private static final Pattern ELEMENT = Pattern.compile("<([A-Za-z_][\\w.-]*)");
    private static final Pattern ATTR = Pattern.compile("\\s([A-Za-z_][\\w.-]*)='([^']*)'");
    private static final Pattern TEXT = Pattern.compile("<([A-Za-z_][\\w.-]*)[^<>/]*>([^<>]+)</\\1>");

    private final List<String> elements;
    private final List<String> attributes;
    private final Map<String, List<String>> values;

    private Vocabulary(List<String> elements, List<String> attributes, Map<String, List<String>> values) {
        this.elements = elements;
        this.attributes = attributes;
        this.values = values;
    }

    /** Learns the names and values of {@code documents}. */
    static Vocabulary of(List<String> documents) {
        TreeSet<String> els = new TreeSet<>();
        TreeSet<String> attrs = new TreeSet<>();
        Map<String, TreeSet<String>> vals = new TreeMap<>();
        for (String d : documents) {
            Matcher e = ELEMENT.matcher(d);
            while (e.find()) {
                els.add(e.group(1));
            }
            Matcher a = ATTR.matcher(d);
            while (a.find()) {
                attrs.add(a.group(1));
                vals.computeIfAbsent(a.group(1), k -> new TreeSet<>()).add(a.group(2));
            }
            Matcher t = TEXT.matcher(d);
            while (t.find()) {
                vals.computeIfAbsent(t.group(1), k -> new TreeSet<>()).add(t.group(2));
            }
        }
        Map<String, List<String>> frozen = new TreeMap<>();
        vals.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new Vocabulary(List.copyOf(els), List.copyOf(attrs), frozen);
    }

    String elementName(Random r) {
        return elements.get(r.nextInt(elements.size()));
    }

    String attributeName(Random r) {
        return attributes.get(r.nextInt(attributes.size()));
    }

    /** A value for an attribute or element {@code name}: half the time one seen for it, else a hostile one. */
    String value(Random r, String name) {
        List<String> seen = values.getOrDefault(name, List.of());
        if (!seen.isEmpty() && r.nextBoolean()) {
            return seen.get(r.nextInt(seen.size()));
        }
        if (r.nextInt(4) == 0) {
            List<String> all = new ArrayList<>();
            values.values().forEach(all::addAll);
            return all.get(r.nextInt(all.size()));
        }
        return Values.any(r);
    }
}

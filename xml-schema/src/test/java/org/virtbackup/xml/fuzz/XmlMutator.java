// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.fuzz;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Structure-aware mutations of an XML text: each operation finds elements and attributes with a tag scanner
 * (good enough for the well-formed golden files and most of their mutants) and edits the text, so the result
 * may be well-formed, schema-invalid or malformed. When the scanner cannot make sense of a mutant, the
 * operation falls back to a byte-level one. Every choice comes from the {@link Random} passed in, so a case is
 * reproduced from its seed alone.
 */
final class XmlMutator {
    private static final Pattern TAG = Pattern.compile("<(/?)([A-Za-z_][\\w.:-]*)([^<>]*?)(/?)>");
    private static final Pattern ATTR = Pattern.compile("\\s([A-Za-z_][\\w.:-]*)\\s*=\\s*('[^']*'|\"[^\"]*\")");

    /** A balanced element: [start, end) of the whole element text, its name and its start tag's end. */
    record Element(int start, int end, String name, int startTagEnd, int depth) {
    }

    private static final String FLIPS = "<>/&'\"=;![]?-\u0000\uFFFF\uD800 \n";

    private final Random random;
    private final Vocabulary vocabulary;
    private final List<String> log = new ArrayList<>();

    XmlMutator(Random random, Vocabulary vocabulary) {
        this.random = random;
        this.vocabulary = vocabulary;
    }

    /** What was done, for the report of a failing case. */
    List<String> log() {
        return log;
    }

    /** Applies one random operation. */
    String mutate(String xml) {
        int op = random.nextInt(17);
        List<Element> elements = elements(xml);
        if (elements.isEmpty() && op < 9) {
            op = 9 + random.nextInt(8);
        }
        switch (op) {
            case 0: return deleteElement(xml, elements);
            case 1: return duplicateElement(xml, elements);
            case 2: return swapElements(xml, elements);
            case 3: return deleteAttribute(xml);
            case 4: return duplicateAttribute(xml);
            case 5: return setAttributeValue(xml);
            case 6: return setText(xml, elements);
            case 7: return addAttribute(xml, elements);
            case 8: return graftElement(xml, elements);
            case 9: return truncate(xml);
            case 10: return flipBytes(xml);
            case 11: return insertMarkup(xml);
            case 12: return deepNest(xml);
            case 13: return renameElement(xml);
            case 14: return insertElement(xml);
            case 15: return setAttributeValue(setAttributeValue(xml));
            default: return insertMarkup(xml);
        }
    }

    /** The balanced elements of {@code xml}, in document order; empty when the tags do not balance. */
    static List<Element> elements(String xml) {
        List<Element> out = new ArrayList<>();
        Deque<int[]> open = new ArrayDeque<>();
        Deque<String> names = new ArrayDeque<>();
        Matcher m = TAG.matcher(xml);
        while (m.find()) {
            String name = m.group(2);
            if (!m.group(1).isEmpty()) {
                if (names.isEmpty() || !names.peek().equals(name)) {
                    return List.of();
                }
                int[] s = open.pop();
                names.pop();
                out.add(new Element(s[0], m.end(), name, s[1], open.size()));
            } else if (!m.group(4).isEmpty()) {
                out.add(new Element(m.start(), m.end(), name, m.end(), open.size()));
            } else {
                open.push(new int[] {m.start(), m.end()});
                names.push(name);
            }
        }
        if (!open.isEmpty()) {
            return List.of();
        }
        out.sort((a, b) -> Integer.compare(a.start(), b.start()));
        return out;
    }

    private Element pick(List<Element> elements, boolean allowRoot) {
        if (!allowRoot && elements.size() > 1) {
            return elements.get(1 + random.nextInt(elements.size() - 1));
        }
        return elements.get(random.nextInt(elements.size()));
    }

    private String deleteElement(String xml, List<Element> els) {
        Element e = pick(els, random.nextInt(20) == 0);
        log.add("delete <" + e.name() + ">");
        return xml.substring(0, e.start()) + xml.substring(e.end());
    }

    private String duplicateElement(String xml, List<Element> els) {
        Element e = pick(els, random.nextInt(20) == 0);
        String text = xml.substring(e.start(), e.end());
        int times = random.nextInt(10) == 0 ? 2 + random.nextInt(200) : 1;
        log.add("duplicate <" + e.name() + "> x" + times);
        return xml.substring(0, e.end()) + text.repeat(times) + xml.substring(e.end());
    }

    private String swapElements(String xml, List<Element> els) {
        Element a = pick(els, false);
        Element b = pick(els, false);
        if (a.end() > b.start()) {
            Element t = a;
            a = b;
            b = t;
        }
        if (a.end() > b.start()) {
            return graftElement(xml, els); // nested: move instead
        }
        log.add("swap <" + a.name() + "> <" + b.name() + ">");
        return xml.substring(0, a.start()) + xml.substring(b.start(), b.end()) + xml.substring(a.end(), b.start())
                + xml.substring(a.start(), a.end()) + xml.substring(b.end());
    }

    /** Moves an element into another one (or into itself, making a copy inside). */
    private String graftElement(String xml, List<Element> els) {
        Element moved = pick(els, false);
        Element host = pick(els, true);
        String text = xml.substring(moved.start(), moved.end());
        int at = host.startTagEnd();
        if (at == host.end()) { // self-closing host: put it after
            at = host.end();
        }
        log.add("copy <" + moved.name() + "> into <" + host.name() + ">");
        return xml.substring(0, at) + text + xml.substring(at);
    }

    private List<MatchResultLite> attributes(String xml) {
        List<MatchResultLite> out = new ArrayList<>();
        Matcher t = TAG.matcher(xml);
        while (t.find()) {
            Matcher a = ATTR.matcher(xml).region(t.start(3), t.end(3));
            while (a.find()) {
                out.add(new MatchResultLite(a.start(), a.end(), a.group(1), a.start(2), a.end(2)));
            }
        }
        return out;
    }

    private record MatchResultLite(int start, int end, String name, int valueStart, int valueEnd) {
    }

    private String deleteAttribute(String xml) {
        List<MatchResultLite> attrs = attributes(xml);
        if (attrs.isEmpty()) {
            return flipBytes(xml);
        }
        MatchResultLite a = attrs.get(random.nextInt(attrs.size()));
        log.add("delete @" + a.name());
        return xml.substring(0, a.start()) + xml.substring(a.end());
    }

    private String duplicateAttribute(String xml) {
        List<MatchResultLite> attrs = attributes(xml);
        if (attrs.isEmpty()) {
            return flipBytes(xml);
        }
        MatchResultLite a = attrs.get(random.nextInt(attrs.size()));
        log.add("duplicate @" + a.name());
        return xml.substring(0, a.end()) + xml.substring(a.start(), a.end()) + xml.substring(a.end());
    }

    private String setAttributeValue(String xml) {
        List<MatchResultLite> attrs = attributes(xml);
        if (attrs.isEmpty()) {
            return addAttribute(xml, elements(xml));
        }
        MatchResultLite a = attrs.get(random.nextInt(attrs.size()));
        String value = vocabulary.value(random, a.name());
        log.add("@" + a.name() + "=" + Values.describe(value));
        return xml.substring(0, a.valueStart()) + Values.quote(value, random) + xml.substring(a.valueEnd());
    }

    private String addAttribute(String xml, List<Element> els) {
        if (els.isEmpty()) {
            return flipBytes(xml);
        }
        Element e = pick(els, true);
        int at = xml.charAt(e.startTagEnd() - 2) == '/' ? e.startTagEnd() - 2 : e.startTagEnd() - 1;
        String name = vocabulary.attributeName(random);
        String value = vocabulary.value(random, name);
        log.add("add @" + name + "=" + Values.describe(value) + " to <" + e.name() + ">");
        return xml.substring(0, at) + " " + name + "=" + Values.quote(value, random) + xml.substring(at);
    }

    private String setText(String xml, List<Element> els) {
        Element e = pick(els, false);
        String value = vocabulary.value(random, e.name());
        if (e.startTagEnd() == e.end()) { // self-closing: open it
            String start = xml.substring(e.start(), e.end() - 2);
            log.add("open <" + e.name() + "> with text " + Values.describe(value));
            return xml.substring(0, e.start()) + start + ">" + Values.text(value, random) + "</" + e.name() + ">"
                    + xml.substring(e.end());
        }
        int close = xml.lastIndexOf("</", e.end() - 1);
        log.add("text of <" + e.name() + "> = " + Values.describe(value));
        return xml.substring(0, e.startTagEnd()) + Values.text(value, random) + xml.substring(close);
    }

    private String truncate(String xml) {
        int at = xml.isEmpty() ? 0 : random.nextInt(xml.length());
        log.add("truncate at " + at);
        return xml.substring(0, at);
    }

    private String flipBytes(String xml) {
        if (xml.isEmpty()) {
            return Values.randomText(random, 1 + random.nextInt(50));
        }
        StringBuilder b = new StringBuilder(xml);
        int n = 1 + random.nextInt(random.nextInt(5) == 0 ? 50 : 4);
        for (int i = 0; i < n; i++) {
            int at = random.nextInt(b.length());
            char c = random.nextBoolean() ? (char) (b.charAt(at) ^ (1 << random.nextInt(8)))
                    : FLIPS.charAt(random.nextInt(FLIPS.length()));
            b.setCharAt(at, c);
        }
        log.add("flip " + n + " chars");
        return b.toString();
    }

    /** A comment, PI, CDATA section, entity reference or stray text at a random tag boundary. */
    private String insertMarkup(String xml) {
        String[] markup = {
            "<!-- fuzz -->", "<!---->", "<!-- -- -->", "<?fuzz data?>", "<?xml version='1.0'?>", "<?xml-stylesheet href='x'?>",
            "<![CDATA[<disk name='vdz'/>]]>", "<![CDATA[]]>", "]]>", "&amp;", "&lt;", "&#0;", "&#x1F600;", "&#xD800;",
            "&undefined;", "&#65;", "&", "<", "text", "\u0001", "\uFEFF", " \t\r\n ", "<!DOCTYPE x>", "<a:b/>",
            "<xi:include xmlns:xi='http://www.w3.org/2001/XInclude' href='/etc/hostname' parse='text'/>",
        };
        String m = markup[random.nextInt(markup.length)];
        int at = boundary(xml);
        log.add("insert " + Values.describe(m) + " at " + at);
        return xml.substring(0, at) + m + xml.substring(at);
    }

    private int boundary(String xml) {
        List<Integer> bounds = new ArrayList<>();
        bounds.add(0);
        bounds.add(xml.length());
        for (int i = 0; i < xml.length(); i++) {
            if (xml.charAt(i) == '>') {
                bounds.add(i + 1);
            }
        }
        return bounds.get(random.nextInt(bounds.size()));
    }

    private String deepNest(String xml) {
        int[] depths = {10, 63, 64, 65, 255, 256, 257, 1000, 5000, 50_000};
        int depth = depths[random.nextInt(depths.length)];
        String name = random.nextBoolean() ? vocabulary.elementName(random) : "n";
        int at = boundary(xml);
        log.add("nest <" + name + "> " + depth + " deep at " + at);
        return xml.substring(0, at) + ("<" + name + ">").repeat(depth) + ("</" + name + ">").repeat(depth)
                + xml.substring(at);
    }

    private String renameElement(String xml) {
        List<Element> els = elements(xml);
        if (els.isEmpty()) {
            return flipBytes(xml);
        }
        Element e = pick(els, random.nextInt(10) == 0);
        String to = random.nextInt(4) == 0 ? e.name().toUpperCase(java.util.Locale.ROOT) : vocabulary.elementName(random);
        log.add("rename <" + e.name() + "> to <" + to + ">");
        String whole = xml.substring(e.start(), e.end());
        String renamed = "<" + to + whole.substring(1 + e.name().length());
        if (renamed.endsWith("</" + e.name() + ">")) {
            renamed = renamed.substring(0, renamed.length() - e.name().length() - 1) + to + ">";
        }
        return xml.substring(0, e.start()) + renamed + xml.substring(e.end());
    }

    private String insertElement(String xml) {
        String name = vocabulary.elementName(random);
        String attr = vocabulary.attributeName(random);
        String el = "<" + name + " " + attr + "=" + Values.quote(vocabulary.value(random, attr), random) + "/>";
        int at = boundary(xml);
        log.add("insert " + Values.describe(el) + " at " + at);
        return xml.substring(0, at) + el + xml.substring(at);
    }
}
